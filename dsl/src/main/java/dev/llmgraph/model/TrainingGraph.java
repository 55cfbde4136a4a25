package dev.llmgraph.model;

import dev.llmgraph.model.lower.TrainingSupport;
import dev.llmgraph.model.lower.GraphBuilder;
import dev.llmgraph.ggml.Backend;
import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.Gradients;
import dev.llmgraph.ggml.Graph;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.ggml.TrainingOps;
import dev.llmgraph.spec.WeightRole;
import dev.llmgraph.spec.plan.Step;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A model's forward pass over a training batch, ending in the language-model loss, with (optionally) the
 * backward pass: B sequences of T + 1 token ids each, the first T the input and the last T the targets
 * (token t predicts token t + 1). The loss is the mean cross-entropy over the positions that count:
 * all of them for a causal LM, only those predicting a token after the first {@code prefix} for a prefix
 * LM (the prefix is context the model reads bidirectionally, not text it is asked to predict).
 *
 * <p>The graph reads the model's own weight tensors, and those of its attached {@link LoraAdapter}: an optimizer
 * step added to it ({@code dev.llmgraph.train}) updates the weights the model then runs with. The tensors to
 * train are chosen by name among both ({@link #tensors}); the others stay frozen, and ggml then builds no
 * gradient for them ({@link Gradients#flowsTo}).
 */
public final class TrainingGraph implements AutoCloseable {
    private final Model model;
    private final LoraAdapter adapter;
    private final int sequences, length, prefix;
    private final Context ctx;
    private final Graph graph;
    private final GraphBuilder builder;
    private final Tensor lossRows, labels, loss;
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Gradients gradients;

    private TrainingGraph(Model model, int sequences, int length, int prefix, Predicate<String> trainable,
                          boolean backward) {
        this.model = model;
        this.sequences = sequences;
        this.length = length;
        this.prefix = prefix;
        this.adapter = model.attachedAdapter();
        Map<String, Tensor> tensors = tensors(model);
        int capacity = 16 * StepGraph.graphSize(model) + 64 * tensors.size();
        this.ctx = Context.create(capacity, capacity);
        try {
            this.graph = backward ? ctx.newTrainingGraph(capacity) : ctx.newGraph(capacity);
            this.builder = new GraphBuilder(model.spec(), model.weights(), adapter, null, ctx, graph,
                    GraphBuilder.Shape.training(sequences, length));
            Tensor logits = builder.build(null);
            int counted = sequences * countedPerSequence();
            int vocab = model.spec().vocabSize();
            this.lossRows = ctx.newTensor("inp_loss_rows", GgmlType.I32, counted).markInput();
            this.labels = ctx.newTensor("inp_labels", GgmlType.F32, vocab, counted).markInput();
            Tensor counting = counted == sequences * length ? logits : ctx.getRows(logits, lossRows);
            this.loss = TrainingOps.of(ctx).crossEntropyLoss(counting, labels).markOutput();
            if (backward) {
                tensors.forEach((name, tensor) -> {
                    if (trainable.test(name)) {
                        parameters.put(name, tensor.markParameter());
                    } else {
                        tensor.unmarkParameter(); // frozen here, whatever an earlier training graph marked
                    }
                });
                loss.markLoss();
            }
            graph.expand(loss);
            this.gradients = backward ? Gradients.build(graph) : null;
        } catch (RuntimeException e) {
            ctx.close();
            throw e;
        }
    }

    /**
     * The forward pass and loss of batches of {@code sequences} x {@code length} tokens, with the gradients of
     * the weights {@code trainable} accepts (by llama.cpp name) when {@code backward}.
     */
    /** Training and adapters compute on this process's backend alone, which cannot reach weights on RPC servers. */
    static void refuseSplit(Model model, String what) {
        if (model.split()) {
            throw new UnsupportedOperationException(what + " runs on one device in this version, and "
                    + model.spec().name() + " has layers on RPC servers (" + model.options().placement()
                    + "); load it with Placement.local() for " + what);
        }
    }

    public static TrainingGraph build(Model model, int sequences, int length, int prefix, Predicate<String> trainable,
                                      boolean backward) {
        model.ensureOpen();
        refuseSplit(model, "training");
        TrainingSupport.require(model.spec());
        if (sequences < 1 || length < 1) {
            throw new IllegalArgumentException("a training batch needs at least one sequence of at least one token; "
                    + "got " + sequences + " x " + length);
        }
        if (length > model.spec().contextLength()) {
            throw new IllegalArgumentException("sequences of " + length + " tokens are longer than the context length "
                    + "of " + model.spec().contextLength() + "; train on shorter sequences or raise contextLength");
        }
        if (prefix < 0 || prefix >= length) {
            throw new IllegalArgumentException("prefix = " + prefix + ": must be at least 0 and shorter than the "
                    + length + "-token sequences, so that some tokens are predicted");
        }
        if (backward) {
            requireTrainable(model, trainable);
        }
        return new TrainingGraph(model, sequences, length, prefix, trainable, backward);
    }

    /**
     * The model's weights by llama.cpp name, then the attached adapter's factors ({@code blk.0.attn_q.weight.lora_a},
     * ...): the tensors a trainer chooses from.
     */
    public static Map<String, Tensor> tensors(Model model) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        model.weightNames().forEach(name -> tensors.put(name, model.weights().get(name)));
        if (model.attachedAdapter() != null) {
            tensors.putAll(model.attachedAdapter().tensors());
        }
        return tensors;
    }

    /**
     * Something to train, in f32. Training an adapter sends gradients back through the frozen base weights too,
     * which ggml does only through f32 weights, so then every weight must be f32.
     */
    private static void requireTrainable(Model model, Predicate<String> trainable) {
        List<String> chosen = tensors(model).keySet().stream().filter(trainable).toList();
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException("none of the weights of " + model.spec().name() + " is chosen for "
                    + "training" + (model.attachedAdapter() == null ? "; to train a LoRA adapter, attach it first: "
                    + "model.attach(LoraAdapter.create(model, config))" : ""));
        }
        boolean adapterTrained = chosen.stream().anyMatch(LoraAdapter::isAdapterTensor);
        for (String name : model.weightNames()) {
            if (model.weightType(name) == GgmlType.F32) {
                continue;
            }
            if (adapterTrained && !onlyLookedUp(model, name)) {
                throw new IllegalArgumentException("weight '" + name + "' is stored as " + model.weightType(name)
                        + ": training a LoRA adapter sends gradients back through the frozen base weights, which "
                        + "ggml does only for f32 weights; create the model with "
                        + "ModelOptions.cpu().withMatrixType(GgmlType.F32)");
            }
            if (chosen.contains(name)) {
                throw new IllegalArgumentException("weight '" + name + "' is stored as " + model.weightType(name)
                        + " and only f32 weights can be trained; create the model with "
                        + "ModelOptions.cpu().withMatrixType(GgmlType.F32)");
            }
        }
    }

    /** The table an output head reads its rows from; "" for any other step. */
    private static String headTable(Step step) {
        return switch (step) {
            case Step.Head h -> h.table();
            case Step.Embed _, Step.Normalize _, Step.Mix _, Step.Channel _, Step.Residual _, Step.Parallel _,
                 Step.Pool _, Step.MaskedLm _ -> "";
        };
    }

    /** Whether gradients never pass through {@code weight}: a table whose rows are looked up, not the output head. */
    private static boolean onlyLookedUp(Model model, String weight) {
        String head = model.spec().plan().output().stream().map(TrainingGraph::headTable).filter(t -> !t.isEmpty())
                .findFirst().orElse("");
        WeightRole role = model.weights().layout().stream().filter(w -> w.name().equals(weight)).findFirst()
                .orElseThrow().role();
        boolean table = switch (role) {
            case TOKEN_EMBEDDING, POSITION_EMBEDDING, TOKEN_TYPE_EMBEDDING, RELATIVE_POSITION_BIAS -> true;
            case NORM_GAIN, NORM_BIAS, BIAS, ROUTER, PROJECTION, BRANCH_PROJECTION, BRANCH_OUTPUT, CONVOLUTION,
                 STATE_DECAY, STATE_SKIP, STEP_BIAS, TOKEN_SHIFT_MIX, LOW_RANK, DECAY_BASE, RECURRENCE_VECTOR -> false;
        };
        return table && !weight.equals(head);
    }

    /** Positions of a sequence whose prediction counts in the loss: from the last prefix token on. */
    private int countedPerSequence() {
        return length - Math.max(prefix - 1, 0);
    }

    /** Loss positions per batch. */
    public int countedTokens() {
        return sequences * countedPerSequence();
    }

    /**
     * Computes the graph on a batch ({@code batch[s]} holds sequence s's T + 1 token ids): the loss, and with
     * the backward pass the gradients and whatever optimizer ops were appended. Returns the loss.
     */
    public double run(int[][] batch) {
        requireBatch(batch);
        if (model.attachedAdapter() != adapter) {
            throw new IllegalStateException("this training graph was built " + (adapter == null ? "without a LoRA "
                    + "adapter, and one is attached now" : "with a LoRA adapter that is no longer attached")
                    + "; build a new one (a new Trainer) for the model as it is");
        }
        try (ConcurrentUseGuard.Use use = model.use("a training step")) { // a forward meanwhile would share memory
            model.backend().compute(graph, gradients, () -> write(batch));
            return loss.toFloats()[0];
        }
    }

    private void write(int[][] batch) {
        int vocab = model.spec().vocabSize();
        int[] inputs = new int[sequences * length];
        int counted = countedTokens();
        int[] rows = new int[counted];
        float[] oneHot = new float[counted * vocab];
        int r = 0;
        for (int s = 0; s < sequences; s++) {
            System.arraycopy(batch[s], 0, inputs, s * length, length);
            for (int t = Math.max(prefix - 1, 0); t < length; t++, r++) {
                rows[r] = s * length + t;
                oneHot[r * vocab + batch[s][t + 1]] = 1f;
            }
        }
        builder.fillTrainingInputs(inputs, prefix);
        if (lossRows.hasData()) {
            lossRows.setInts(rows);
        }
        labels.setFloats(oneHot);
    }

    private void requireBatch(int[][] batch) {
        if (batch == null) {
            throw new IllegalArgumentException("the batch is null; pass " + sequences + " sequences of " + (length + 1)
                    + " token ids");
        }
        if (batch.length != sequences) {
            throw new IllegalArgumentException("the batch has " + batch.length + " sequences and this graph takes "
                    + sequences);
        }
        for (int s = 0; s < sequences; s++) {
            if (batch[s] == null) {
                throw new IllegalArgumentException("sequence " + s + " of the batch is null; each of the " + sequences
                        + " sequences needs " + (length + 1) + " token ids");
            }
            if (batch[s].length != length + 1) {
                throw new IllegalArgumentException("sequence " + s + " has " + batch[s].length + " token ids; a batch "
                        + "sequence needs " + (length + 1) + ": " + length + " inputs and the next token as the last target");
            }
            model.checkTokens(java.util.Arrays.copyOf(batch[s], length), "training sequence " + s);
            model.checkTokens(new int[] {batch[s][length]}, "last target of training sequence " + s);
        }
    }

    public Graph graph() {
        return graph;
    }

    /** Where optimizer ops are created (they live as long as this graph). */
    public Context context() {
        return ctx;
    }

    /** The scalar loss; readable after a computation. */
    public Tensor loss() {
        return loss;
    }

    /** The backward pass; null for a forward-only (evaluation) graph. */
    public Gradients gradients() {
        return gradients;
    }

    /** The trained weights by llama.cpp name, in the model's order. */
    public Map<String, Tensor> parameters() {
        return java.util.Collections.unmodifiableMap(parameters);
    }

    /** The model whose weights this graph reads (and, with an optimizer appended, trains). */
    public Model model() {
        return model;
    }

    /** The backend the model's weights live on, which computes this graph. */
    public Backend backend() {
        return model.backend();
    }

    public int sequences() {
        return sequences;
    }

    public int length() {
        return length;
    }

    @Override
    public void close() {
        ctx.close();
    }
}
