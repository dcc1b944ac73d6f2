using System.CommandLine;
using IndexPubMed.Evaluation;
using IndexPubMed.Searching;

namespace IndexPubMed.Commands;

/// <summary><c>eval</c>: nDCG@10, Recall@100, Recall@1000 and MRR@10 of a TREC run against qrels.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var run = new Option<FileInfo>("--run") { Description = "TREC run (qid Q0 docid rank score tag); ranks are ignored, ties ordered as trec_eval does", Required = true };
        var qrels = new Option<FileInfo>("--qrels") { Description = "qrels: BEIR TSV (query-id corpus-id score) or TREC (qid iter docid rel)", Required = true };
        var command = new Command("eval", "Evaluate a TREC run: nDCG@10, Recall@100, Recall@1000, MRR@10 over the queries in both the run and the qrels.")
        {
            run, qrels,
        };
        command.SetAction(parse => Run(parse.GetValue(run)!, parse.GetValue(qrels)!, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    private static int Run(FileInfo runFile, FileInfo qrelsFile, TextWriter output, TextWriter error)
    {
        TrecRun run;
        Qrels qrels;
        try
        {
            run = TrecRun.Load(runFile.FullName);
            qrels = Qrels.Load(qrelsFile.FullName);
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
        {
            error.WriteLine($"eval: {e.Message}");
            return 2;
        }
        var report = EvaluationReport.Compute(qrels, run);
        output.Write(report.Format());
        if (report.Queries == 0)
        {
            error.WriteLine("eval: no query of the run is judged in the qrels (do the query ids match?).");
            return 1;
        }
        return 0;
    }
}
