// Charts of issue 19's scaling runs, from bench's JSON files (bench/NOTES.md, "Scaling"):
//   CONTEXT=dir-or-json-of-the-depth-run SIZES=dir1,dir2,... GGUF_DIRS=folders-of-the-files-given-by-path OUT=bench/results \
//     bin/llmgraph run bench/scaling-charts.jsh
// 1. tokens/s against the depth (tokens already in the cache), both engines, pp and tg (the committed run:
//    CONTEXT=bench/results/2026-12-05-scaling-context-16k-cpu-t2.json);
// 2. tokens/s against parameters (log-log), both engines, pp and tg;
// 3. the KV cache of the depth run's model against context length (F16, from the spec's accounting).
import com.fasterxml.jackson.databind.*;
import dev.llmgraph.display.Charts;

ObjectMapper json = new ObjectMapper();
JsonNode firstJson(String dir) throws Exception {
    if (Files.isRegularFile(Path.of(dir))) {
        return json.readTree(Path.of(dir).toFile());
    }
    try (var files = Files.list(Path.of(dir))) {
        return json.readTree(files.filter(f -> f.toString().endsWith(".json")).findFirst().orElseThrow().toFile());
    }
}
double median(JsonNode row) { return row.get("median_ts").asDouble(); }
Path out = Path.of(System.getenv("OUT"));

// 1. depth
JsonNode context = firstJson(System.getenv("CONTEXT"));
for (String kind : List.of("pp", "tg")) {
    var chart = Charts.line("TinyLlama-1.1B Q4_0, " + kind + " tokens/s at a filled context (2 threads)")
            .xLabel("tokens already in the cache (depth)").yLabel("tokens/s");
    for (String engine : List.of("llmgraph", "llama.cpp")) {
        List<double[]> points = new ArrayList<>();
        for (JsonNode r : context.get("results")) {
            if (r.get("engine").asText().equals(engine) && r.get("test").asText().startsWith(kind)) {
                points.add(new double[] {r.get("n_depth").asDouble(), median(r)});
            }
        }
        chart.series(engine, points.stream().mapToDouble(p -> p[0]).toArray(), points.stream().mapToDouble(p -> p[1]).toArray());
    }
    chart.render().save(out.resolve("2026-12-05-scaling-context-" + kind + ".svg"));
}

// 2. model size
Map<String, Long> parameters = new LinkedHashMap<>();
for (String kind : List.of("pp", "tg")) {
    var chart = Charts.line("Q4_0 " + kind + " tokens/s against model size (2 threads)").logX().logY()
            .xLabel("parameters").yLabel("tokens/s");
    for (String engine : List.of("llmgraph", "llama.cpp")) {
        List<double[]> points = new ArrayList<>();
        for (String dir : System.getenv("SIZES").split(",")) {
            JsonNode report = firstJson(dir);
            for (JsonNode r : report.get("results")) {
                if (r.get("engine").asText().equals(engine) && r.get("test").asText().startsWith(kind)) {
                    String model = r.get("model_type").asText();
                    long n = parameters.computeIfAbsent(model, m -> {
                        Path file = Arrays.stream(System.getenv().getOrDefault("GGUF_DIRS", ".").split(","))
                                .map(d -> Path.of(d, m)).filter(Files::isRegularFile).findFirst().orElse(null);
                        ModelSpec spec = file != null ? GgufModels.spec(file) : Presets.byName(m);
                        return spec.accounting().parameters().total();
                    });
                    points.add(new double[] {n, median(r)});
                }
            }
        }
        points.sort(Comparator.comparingDouble(p -> p[0]));
        chart.series(engine, points.stream().mapToDouble(p -> p[0]).toArray(), points.stream().mapToDouble(p -> p[1]).toArray());
    }
    chart.render().save(out.resolve("2026-12-05-scaling-size-" + kind + ".svg"));
}
System.out.println("parameters: " + parameters);

// 3. KV cache bytes against context length
ModelSpec tiny = Presets.tinyLlama1_1b();
int[] lengths = {128, 512, 2048, 4096, 8192, 16384};
double[] mib = Arrays.stream(lengths).mapToDouble(n -> tiny.accounting().kvCacheBytes(n, GgmlType.F16) / 1048576.0).toArray();
Charts.line("TinyLlama-1.1B: F16 KV cache against context length").logX().xLabel("context length (tokens)")
        .yLabel("MiB").x(lengths).series("KV cache", mib).render().save(out.resolve("2026-12-05-scaling-kv-cache.svg"));
System.out.println("KV MiB at " + Arrays.toString(lengths) + ": " + Arrays.toString(mib));
/exit
