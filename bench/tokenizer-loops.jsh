// Java-heavy work in a fresh JVM, the kind a notebook's tokenizer cells do: train BPE and Unigram vocabularies of
// 8,000 tokens on Moby-Dick (1.2 M characters) and encode the whole book three times. What the Jupyter kernel's
// C1-only JIT (KernelSpec.QUICK_JIT_FLAG) costs such loops, against the default tiered JIT:
//   LLMGRAPH_AOT=0 LLMGRAPH_JAVA_OPTS=-XX:TieredStopAtLevel=1 bin/llmgraph run bench/tokenizer-loops.jsh
//   LLMGRAPH_AOT=0 bin/llmgraph run bench/tokenizer-loops.jsh
import dev.llmgraph.tokenize.*;
import java.lang.management.ManagementFactory;
var examples = Files.isDirectory(Path.of("examples")) ? Path.of("examples") : Path.of("../examples");
String moby = Files.readString(examples.resolve("data/moby-dick.txt"));
double seconds(long from) { return (System.nanoTime() - from) / 1e9; }
long t = System.nanoTime();
var bpe = BpeTrainer.train(moby, 8000);
double bpeTraining = seconds(t);
t = System.nanoTime();
int tokens = 0;
for (int i = 0; i < 3; i++) tokens += bpe.encode(moby).length;
double encoding = seconds(t);
t = System.nanoTime();
var unigram = UnigramTrainer.train(moby, 8000);
double unigramTraining = seconds(t);
boolean c1Only = ManagementFactory.getRuntimeMXBean().getInputArguments().contains("-XX:TieredStopAtLevel=1");
System.out.printf("%s: BPE training %.2f s, encoding the book 3 times %.2f s (%,d tokens), Unigram training %.2f s%n",
    c1Only ? "C1 only" : "tiered", bpeTraining, encoding, tokens, unigramTraining);
