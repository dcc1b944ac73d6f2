import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.TermFrequencyAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FieldInvertState;
import org.apache.lucene.index.IndexOptions;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.CollectionStatistics;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TermStatistics;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopScoreDocCollector;
import org.apache.lucene.search.similarities.Similarity;
import org.apache.lucene.store.FSDirectory;

/**
 * Java Lucene 8.7 reference harness for SPLADE impacts, the way Anserini indexes and searches them.
 *
 * index  --vectors FILE --index DIR [--scale 100] [--ram-mb 256]
 *        one thread; one token per term with TermFrequencyAttribute = round(weight x scale) (halves up, as the
 *        .NET side's away-from-zero for positive weights), DOCS_AND_FREQS, no norms; id stored as a StringField.
 * search --index DIR --queries FILE --k K --mode exhaustive|wand|default [--run OUT] [--warm-passes 3] [--scale 100]
 *        BooleanQuery of SHOULD BoostQuery(TermQuery, query weight) under an impact similarity (score = boost x freq);
 *        exhaustive = TopScoreDocCollector counting every hit (BooleanScorer, term at a time in windows);
 *        wand = totalHitsThreshold k (block-max WAND over the codec's impacts); default = searcher.search(query, k)
 *        (threshold 1000 in Lucene 8). First pass = each query once, as a fresh process would; then warm passes.
 *        The run (first pass) gives scores / scale (the .NET CLI's model units), ties by id ascending.
 * compare A.trec B.trec --k K   same top k per query, tolerating ties (scores within 1e-5 relative of the cut).
 */
public final class SpladeLucene8 {
    static final String FIELD = "splade";

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: SpladeLucene8 index|search|compare ...");
            System.exit(2);
        }
        Map<String, String> o = options(Arrays.copyOfRange(args, 1, args.length));
        switch (args[0]) {
            case "index": index(o); break;
            case "search": search(o); break;
            case "compare": System.exit(compare(o)); break;
            default: System.err.println("unknown command " + args[0]); System.exit(2);
        }
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> o = new HashMap<>();
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--")) o.put(args[i].substring(2), args[++i]);
            else positional.add(args[i]);
        }
        for (int i = 0; i < positional.size(); i++) o.put("arg" + i, positional.get(i));
        return o;
    }

    // ---- impact similarity: score = boost x freq, norms ignored (Anserini's ImpactSimilarity) ----
    static final class ImpactSimilarity extends Similarity {
        @Override public long computeNorm(FieldInvertState state) { return 1; }
        @Override public SimScorer scorer(float boost, CollectionStatistics c, TermStatistics... t) {
            return new SimScorer() {
                @Override public float score(float freq, long norm) { return boost * freq; }
            };
        }
    }

    // ---- one token per term, its impact as the term frequency ----
    static final class ImpactTokenStream extends TokenStream {
        private final CharTermAttribute term = addAttribute(CharTermAttribute.class);
        private final TermFrequencyAttribute freq = addAttribute(TermFrequencyAttribute.class);
        private String[] tokens = new String[0];
        private int[] impacts = new int[0];
        private int count, next;

        void set(String[] t, int[] f, int n) { tokens = t; impacts = f; count = n; }
        @Override public boolean incrementToken() {
            if (next >= count) return false;
            clearAttributes();
            term.setEmpty().append(tokens[next]);
            freq.setTermFrequency(impacts[next]);
            next++;
            return true;
        }
        @Override public void reset() throws IOException { super.reset(); next = 0; }
    }

    static void index(Map<String, String> o) throws Exception {
        Path vectors = Paths.get(o.get("vectors"));
        Path dir = Paths.get(o.get("index"));
        double scale = Double.parseDouble(o.getOrDefault("scale", "100"));
        double ramMb = Double.parseDouble(o.getOrDefault("ram-mb", "256"));
        FieldType type = new FieldType();
        type.setIndexOptions(IndexOptions.DOCS_AND_FREQS);
        type.setOmitNorms(true);
        type.setTokenized(true);
        type.setStored(false);
        type.freeze();
        IndexWriterConfig config = new IndexWriterConfig().setSimilarity(new ImpactSimilarity()).setRAMBufferSizeMB(ramMb)
            .setOpenMode(IndexWriterConfig.OpenMode.CREATE);
        long start = System.nanoTime();
        long docs = 0, postings = 0, dropped = 0;
        try (FSDirectory d = FSDirectory.open(dir); IndexWriter writer = new IndexWriter(d, config);
             BufferedReader in = Files.newBufferedReader(vectors, StandardCharsets.UTF_8)) {
            ImpactTokenStream stream = new ImpactTokenStream();
            StringField id = new StringField("id", "", Field.Store.YES);
            Field splade = new Field(FIELD, stream, type);
            Document doc = new Document();
            doc.add(id);
            doc.add(splade);
            String[] tokens = new String[1024];
            int[] impacts = new int[1024];
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) continue;
                Record r = Json.record(line);
                if (r.tokens.size() > tokens.length) { tokens = new String[r.tokens.size() * 2]; impacts = new int[tokens.length]; }
                int n = 0;
                for (int i = 0; i < r.tokens.size(); i++) {
                    long impact = Math.round((double) r.weights[i] * scale);
                    if (impact <= 0) { dropped++; continue; }
                    tokens[n] = r.tokens.get(i);
                    impacts[n++] = (int) impact;
                }
                stream.set(tokens, impacts, n);
                id.setStringValue(r.id);
                writer.addDocument(doc);
                docs++;
                postings += n;
            }
            writer.commit();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long bytes;
        try (Stream<Path> files = Files.list(dir)) { bytes = files.mapToLong(p -> p.toFile().length()).sum(); }
        int segments;
        try (DirectoryReader reader = DirectoryReader.open(FSDirectory.open(dir))) { segments = reader.leaves().size(); }
        System.out.printf(Locale.ROOT, "java-lucene %s index: %d docs in %.1f s = %.0f docs/s; %d postings (%.1f per doc), %d weights rounded to 0; index %.1f MB, %d segments (ram buffer %.0f MB, one thread)%n",
            org.apache.lucene.util.Version.LATEST, docs, seconds, docs / seconds, postings, postings / (double) docs, dropped, bytes / 1e6, segments, ramMb);
    }

    static void search(Map<String, String> o) throws Exception {
        long jvmStart = System.nanoTime();
        Path dir = Paths.get(o.get("index"));
        int k = Integer.parseInt(o.getOrDefault("k", "10"));
        String mode = o.getOrDefault("mode", "wand");
        int warmPasses = Integer.parseInt(o.getOrDefault("warm-passes", "3"));
        double scale = Double.parseDouble(o.getOrDefault("scale", "100"));
        BooleanQuery.setMaxClauseCount(Integer.MAX_VALUE);
        List<Record> records = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(Paths.get(o.get("queries")), StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) if (!line.isBlank()) records.add(Json.record(line));
        }
        List<Query> queries = new ArrayList<>();
        for (Record r : records) {
            BooleanQuery.Builder b = new BooleanQuery.Builder();
            for (int i = 0; i < r.tokens.size(); i++) {
                if (r.weights[i] > 0) b.add(new BoostQuery(new TermQuery(new Term(FIELD, r.tokens.get(i))), r.weights[i]), BooleanClause.Occur.SHOULD);
            }
            queries.add(b.build());
        }
        try (DirectoryReader reader = DirectoryReader.open(FSDirectory.open(dir))) {
            IndexSearcher searcher = new IndexSearcher(reader);
            searcher.setSimilarity(new ImpactSimilarity());
            searcher.setQueryCache(null);
            double openMs = (System.nanoTime() - jvmStart) / 1e6;
            int n = queries.size();
            double[] first = new double[n];
            TopDocs[] results = new TopDocs[n];
            for (int i = 0; i < n; i++) {
                long t = System.nanoTime();
                results[i] = run(searcher, queries.get(i), k, mode);
                first[i] = (System.nanoTime() - t) / 1e6;
            }
            double[] warm = new double[n * Math.max(warmPasses, 1)];
            long hits = 0;
            for (int p = 0; p < warmPasses; p++) {
                for (int i = 0; i < n; i++) {
                    long t = System.nanoTime();
                    TopDocs top = run(searcher, queries.get(i), k, mode);
                    warm[p * n + i] = (System.nanoTime() - t) / 1e6;
                    if (p == 0) hits += top.totalHits.value;
                }
            }
            if (warmPasses == 0) warm = new double[] { Double.NaN };
            // The warm figures: the last warm pass (per query), as the .NET coldstart bench's interleaved pass.
            double[] last = Arrays.copyOfRange(warm, Math.max(0, warm.length - n), warm.length);
            System.out.printf(Locale.ROOT, "java-lucene %s search mode=%s k=%d queries=%d (%s): open %.0f ms; first query %.2f ms; first-batch mean %.3f ms median %.3f p99 %.3f; warm (pass %d) mean %.3f ms median %.3f p99 %.3f; mean totalHits %.0f%n",
                org.apache.lucene.util.Version.LATEST, mode, k, n, Paths.get(o.get("queries")).getFileName(), openMs, first[0], mean(first), pct(first, 50), pct(first, 99),
                warmPasses, mean(last), pct(last, 50), pct(last, 99), warmPasses > 0 ? hits / (double) n : Double.NaN);
            if (o.containsKey("run")) {
                try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(Paths.get(o.get("run")), StandardCharsets.UTF_8))) {
                    for (int i = 0; i < n; i++) {
                        ScoreDoc[] sd = results[i].scoreDocs;
                        String[] ids = new String[sd.length];
                        Integer[] order = new Integer[sd.length];
                        for (int j = 0; j < sd.length; j++) { ids[j] = reader.document(sd[j].doc).get("id"); order[j] = j; }
                        Arrays.sort(order, (a, b) -> sd[a].score != sd[b].score ? Float.compare(sd[b].score, sd[a].score) : ids[a].compareTo(ids[b]));
                        for (int j = 0; j < sd.length; j++) {
                            int x = order[j];
                            out.printf(Locale.ROOT, "%s Q0 %s %d %.6f java-%s%n", records.get(i).id, ids[x], j + 1, sd[x].score / scale, mode);
                        }
                    }
                }
            }
        }
    }

    static TopDocs run(IndexSearcher searcher, Query q, int k, String mode) throws IOException {
        switch (mode) {
            case "default": return searcher.search(q, k);
            case "exhaustive": {
                TopScoreDocCollector c = TopScoreDocCollector.create(k, Integer.MAX_VALUE);
                searcher.search(q, c);
                return c.topDocs();
            }
            case "wand": {
                TopScoreDocCollector c = TopScoreDocCollector.create(k, k);
                searcher.search(q, c);
                return c.topDocs();
            }
            default: throw new IllegalArgumentException("--mode exhaustive|wand|default, not " + mode);
        }
    }

    static double mean(double[] v) { double s = 0; for (double x : v) s += x; return s / v.length; }
    static double pct(double[] v, double p) {
        double[] s = v.clone(); Arrays.sort(s);
        int rank = Math.max(1, (int) Math.ceil(p / 100 * s.length));
        return s[rank - 1];
    }

    // ---- run comparison, tolerant of ties ----
    static Map<String, List<String[]>> readRun(String path) throws IOException {
        Map<String, List<String[]>> run = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Paths.get(path))) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 6) continue;
            run.computeIfAbsent(f[0], x -> new ArrayList<>()).add(new String[] { f[2], f[4] });
        }
        for (List<String[]> l : run.values()) l.sort((a, b) -> Double.compare(Double.parseDouble(b[1]), Double.parseDouble(a[1])));
        return run;
    }

    static int compare(Map<String, String> o) throws IOException {
        Map<String, List<String[]>> a = readRun(o.get("arg0")), b = readRun(o.get("arg1"));
        int k = Integer.parseInt(o.getOrDefault("k", "10"));
        double tol = Double.parseDouble(o.getOrDefault("tolerance", "1e-5"));
        int same = 0, differ = 0, tiedOnly = 0;
        double maxScoreDiff = 0;
        for (Map.Entry<String, List<String[]>> e : a.entrySet()) {
            List<String[]> x = e.getValue(), y = b.getOrDefault(e.getKey(), List.of());
            int n = Math.min(k, x.size());
            if (Math.min(k, y.size()) != n) { differ++; continue; }
            if (n == 0) { same++; continue; }
            double cut = Math.min(Double.parseDouble(x.get(n - 1)[1]), Double.parseDouble(y.get(n - 1)[1]));
            Map<String, Double> ys = new HashMap<>();
            for (String[] h : y.subList(0, n)) ys.put(h[0], Double.parseDouble(h[1]));
            boolean ok = true, tie = false;
            for (String[] h : x.subList(0, n)) {
                double s = Double.parseDouble(h[1]);
                Double t = ys.get(h[0]);
                if (t != null) { maxScoreDiff = Math.max(maxScoreDiff, Math.abs(s - t) / Math.max(Math.abs(s), 1e-9)); continue; }
                if (Math.abs(s - cut) <= tol * Math.max(Math.abs(cut), 1e-9) + 1e-6) tie = true; else ok = false;
            }
            if (!ok) differ++; else if (tie) tiedOnly++; else same++;
        }
        System.out.printf(Locale.ROOT, "compare top-%d %s vs %s: %d queries identical, %d differ only by documents tied at the cut, %d differ; max relative score difference %.2e%n",
            k, Paths.get(o.get("arg0")).getFileName(), Paths.get(o.get("arg1")).getFileName(), same, tiedOnly, differ, maxScoreDiff);
        return differ == 0 ? 0 : 1;
    }

    // ---- a minimal JSON reader for {"id": ..., "vector": {token: weight, ...}, ...} lines ----
    static final class Record {
        String id;
        List<String> tokens = new ArrayList<>();
        float[] weights = new float[0];
    }

    static final class Json {
        final String s; int i;
        Json(String s) { this.s = s; }

        static Record record(String line) {
            Json j = new Json(line);
            Record r = new Record();
            j.expect('{');
            List<Float> w = new ArrayList<>();
            if (!j.peekIs('}')) {
                do {
                    String key = j.string();
                    j.expect(':');
                    if (key.equals("id") || key.equals("_id")) {
                        j.ws();
                        r.id = j.s.charAt(j.i) == '"' ? j.string() : j.number();
                    } else if (key.equals("vector")) {
                        j.expect('{');
                        if (!j.peekIs('}')) {
                            do {
                                r.tokens.add(j.string());
                                j.expect(':');
                                w.add(Float.parseFloat(j.number()));
                            } while (j.comma());
                        }
                        j.expect('}');
                    } else {
                        j.skipValue();
                    }
                } while (j.comma());
            }
            j.expect('}');
            r.weights = new float[w.size()];
            for (int x = 0; x < w.size(); x++) r.weights[x] = w.get(x);
            return r;
        }

        void ws() { while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++; }
        boolean peekIs(char c) { ws(); return i < s.length() && s.charAt(i) == c; }
        void expect(char c) {
            ws();
            if (i >= s.length() || s.charAt(i) != c) throw new IllegalArgumentException("expected '" + c + "' at " + i + " in " + s.substring(0, Math.min(80, s.length())));
            i++;
        }
        boolean comma() { ws(); if (i < s.length() && s.charAt(i) == ',') { i++; return true; } return false; }
        String number() {
            ws();
            int start = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
            return s.substring(start, i);
        }
        String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (true) {
                char c = s.charAt(i++);
                if (c == '"') return b.toString();
                if (c != '\\') { b.append(c); continue; }
                char e = s.charAt(i++);
                switch (e) {
                    case 'n': b.append('\n'); break;
                    case 't': b.append('\t'); break;
                    case 'r': b.append('\r'); break;
                    case 'b': b.append('\b'); break;
                    case 'f': b.append('\f'); break;
                    case 'u': b.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; break;
                    default: b.append(e);
                }
            }
        }
        void skipValue() {
            ws();
            char c = s.charAt(i);
            if (c == '"') { string(); return; }
            if (c == '{' || c == '[') {
                char close = c == '{' ? '}' : ']';
                i++;
                if (peekIs(close)) { i++; return; }
                do {
                    if (close == '}') { string(); expect(':'); }
                    skipValue();
                } while (comma());
                expect(close);
                return;
            }
            while (i < s.length() && ",}] \t\r\n".indexOf(s.charAt(i)) < 0) i++;
        }
    }
}
