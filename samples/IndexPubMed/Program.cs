using IndexPubMed.Commands;

return CliRunner.Run(args);
