// An ablation in one call: norm placement x positional scheme on a tiny GPT-2, measured the same way.
// Run with: bin/llmgraph run examples/ablation.jsh

var table = Ablation.of(Presets.byName("tiny-gpt2-small"))
    .vary(Axis.placement(NormPlacement.PRE, NormPlacement.POST, NormPlacement.SANDWICH))
    .vary(Axis.positional(Positional.learned(), Positional.alibi(), Positional.rope(10_000)))
    .measure(Measure.parameters(), Measure.kvCacheBytes(1024), Measure.decodeSpeed(16),
             Measure.logitDifference(1, 2, 3, 4))
    .run();
System.out.println(table);

// The same rows as CSV, for a spreadsheet or a plotting tool.
System.out.println(table.csv());

// A combination the spec refuses is a row with the spec's words, and the sweep goes on.
System.out.println(Ablation.of(Presets.byName("tiny-gpt2-small"))
    .vary(Axis.attention(Attention.grouped(4, 2), Attention.grouped(4, 3)))
    .measure(Measure.parameters())
    .run());
