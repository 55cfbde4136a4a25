// A Llama-2-7B-shaped Q4_0 GGUF with random weights (initialised as Q4_0: an F16 model of 13.5 GB would not
// leave room on a 24 GiB machine): OUT=FILE bin/llmgraph run bench/write-llama2-7b-q4_0.jsh
var out = Path.of(System.getenv("OUT"));
try (var model = Model.random(Presets.llama2_7b(), WeightInit.gpt2(1), ModelOptions.cpu().withThreads(2).withMatrixType(GgmlType.Q4_0).withRepack(false))) {
    GgufModels.write(model, out);
}
System.out.println("wrote " + out + " " + Files.size(out));
/exit
