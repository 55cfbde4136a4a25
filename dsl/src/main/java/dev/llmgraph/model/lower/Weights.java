package dev.llmgraph.model.lower;

import dev.llmgraph.model.WeightSource;
import dev.llmgraph.model.ProgressListener;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.ggml.Backend;
import dev.llmgraph.ggml.BufferType;
import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.WeightLayout;
import dev.llmgraph.spec.WeightRole;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/** A model's weight tensors in one backend buffer, by llama.cpp name, plus constant tables. */
public final class Weights implements AutoCloseable {
    /** Loading or initialising this many parameters takes seconds: show progress (notebook or terminal). */
    private static final long SHOW_PROGRESS_ABOVE = 100_000_000L;
    private final List<Context> contexts;
    private final long bytes;
    private final Map<BufferType, Long> bytesByType;
    private final Map<String, Tensor> tensors;
    private final List<WeightLayout.Weight> layout;
    private final long mappedBytes;
    /**
     * Each layer's q, k and v matrices (and biases) as one tensor, by {@code blk.N.attn_qkv.weight} (and
     * {@code .bias}): over the mapped file, holding the three in a backend's memory, or a repacked copy.
     */
    private final Map<String, Tensor> stacked;
    /** A tied head's repacked copy of the token embedding ({@link RepackedHead}), or null. */
    private final Tensor tiedHead;
    /** Repacked copies that products use in place of mapped originals ({@link RepackedCopies}), by name. */
    private final Map<String, Tensor> repackedCopies;

    private Weights(List<Context> contexts, long bytes, Map<BufferType, Long> bytesByType, Map<String, Tensor> tensors,
                    List<WeightLayout.Weight> layout, long mappedBytes, Map<String, Tensor> stacked, Tensor tiedHead,
                    Map<String, Tensor> repackedCopies) {
        this.contexts = contexts;
        this.repackedCopies = repackedCopies;
        this.stacked = stacked;
        this.tiedHead = tiedHead;
        this.mappedBytes = mappedBytes;
        this.bytes = bytes;
        this.bytesByType = bytesByType;
        this.tensors = tensors;
        this.layout = layout;
    }

    public static Weights create(ModelSpec spec, Backend backend, ModelOptions options, WeightSource source) {
        return create(spec, LayerDevices.single(backend, spec.layers()), options, source);
    }

    /** The weights of {@code spec}, each on the backend of its layer ({@link LayerDevices#weight}). */
    public static Weights create(ModelSpec spec, LayerDevices devices, ModelOptions options, WeightSource source) {
        List<Positions.ConstantTable> constants = Positions.of(spec)
                .constantTables(options.runContext(spec.contextLength()));
        return create(spec, spec.name(), WeightLayout.of(spec), constants, devices, options, source);
    }

    /**
     * The weights of {@code layout} (an encoder-decoder's, which no single spec lists), loaded by {@code source},
     * which reads {@code spec} for what it needs to know of the model (its depth, for random initialisation).
     */
    public static Weights create(ModelSpec spec, String label, List<WeightLayout.Weight> layout, Backend backend,
                                 ModelOptions options, WeightSource source) {
        return create(spec, label, layout, List.of(), LayerDevices.single(backend, spec.layers()), options, source);
    }

    private static Weights create(ModelSpec spec, String label, List<WeightLayout.Weight> layout,
                                  List<Positions.ConstantTable> constants, LayerDevices devices, ModelOptions options,
                                  WeightSource source) {
        Map<BufferType, Context> contexts = new LinkedHashMap<>();
        MappedWeights mapped = new MappedWeights(layout.size());
        try {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            BufferType plain = devices.local().defaultBufferType();
            Map<String, WeightLayout.Weight> byName = RepackedProjections.byName(layout);
            Map<String, BufferType> stackHomes = new LinkedHashMap<>();
            Map<String, BufferType> copyHomes = new LinkedHashMap<>();
            boolean copies = copiesOfMapped(options);
            CopiedStacks copied = new CopiedStacks();
            boolean stacking = QkvStack.stackProjections();
            Predicate<Backend> stacksApart = QkvStack.stackSeparateProjections();
            for (WeightLayout.Weight w : layout) {
                GgmlType type = typeFor(w, options, source);
                Backend backend = devices.weight(w.name());
                BufferType plainHome = backend.defaultBufferType();
                List<BufferType> extras = options.repack() || copies ? backend.extraBufferTypes() : List.of();
                BufferType home = placement(w, type, backend, plainHome, extras);
                WeightSource.InFile at = source.inFile(w, type);
                // with repack off, only a weight mapped in place gets a repacked copy (its original stays readable)
                boolean mappable = MappedWeights.usable(options, backend, plainHome, at) != null;
                if (!options.repack() && !mappable) {
                    home = plainHome;
                }
                String stackOf = stacking
                        ? RepackedProjections.storedTogether(w.name(), byName, source) : null;
                if (stackOf != null && !home.equals(plainHome)) {
                    // multiplied through one repacked stack: the three stay plain, mapped in place where they can be
                    BufferType stackHome = RepackedProjections.home(stackOf, type, byName, backend, extras);
                    if (stackHome != null) {
                        stackHomes.put(stackOf, stackHome);
                        home = plainHome;
                    }
                }
                if (!options.repack() && !home.equals(plainHome)) {
                    copyHomes.put(w.name(), home);
                    home = plainHome;
                }
                WeightSource.InFile inFile = MappedWeights.usable(options, backend, home, at);
                if (inFile != null) {
                    tensors.put(w.name(), mapped.add(inFile, home, w.name(), type, w.ne()));
                    continue;
                }
                // room for the weights, a stack per three of them (CopiedStacks) and the constant tables
                Context ctx = contexts.computeIfAbsent(home,
                        b -> Context.create(layout.size() + layout.size() / 3 + 1 + constants.size()));
                String stack = stacking && home.equals(plainHome)
                        ? QkvStack.of(w.name(), byName, source, stacksApart.test(backend)) : null;
                if (stack != null && !(QkvStack.ofMatrices(stack) && stackHomes.containsKey(QkvStack.layer(stack)))) {
                    copied.hold(stack, w, type, ctx);
                    continue;
                }
                tensors.put(w.name(), ctx.newTensor(w.name(), type, w.ne()));
            }
            copied.create(tensors);
            Map<String, Tensor> stacked = new LinkedHashMap<>();
            if (stacking) {
                stacked.putAll(mapped.stackProjections(source, stackHomes.keySet()));
            }
            mapped.place();
            for (Positions.ConstantTable table : constants) {
                Context ctx = contexts.computeIfAbsent(plain, b -> Context.create(constants.size()));
                tensors.put(table.name(), ctx.newTensor(table.name(), GgmlType.F32, table.width(), table.rows()));
            }
            long bytes = 0;
            Map<BufferType, Long> bytesByType = new LinkedHashMap<>();
            for (var e : contexts.entrySet()) {
                long size = e.getValue().allocate(e.getKey()).byteSize();
                bytesByType.put(e.getKey(), size);
                bytes += size;
            }
            stacked.putAll(copied.place(tensors));
            // Mapped weights are in host memory too: count them with the CPU's default type, as copies would be.
            mapped.bytesByHome().forEach((home, size) -> bytesByType.merge(home, size, Long::sum));
            bytes += mapped.bytes();
            // Weights used in place from the file need no loading, and no progress line: finding and starting the
            // display took 14% of a profiled fresh-JVM mapped load of TinyLlama (bench/NOTES.md, "Load in a fresh
            // JVM").
            Set<String> inPlace = mapped.names();
            List<WeightLayout.Weight> toLoad = layout.stream().filter(w -> !inPlace.contains(w.name())).toList();
            long elements = toLoad.stream().mapToLong(WeightLayout.Weight::elements).sum();
            ProgressListener listener = elements >= SHOW_PROGRESS_ABOVE
                    ? ProgressListener.installed() : ProgressListener.SILENT;
            try (var progress = listener.started("weights of " + label, toLoad.size(), "tensors")) {
                Thread caller = Thread.currentThread();
                var loading = source.independentTensors() ? toLoad.parallelStream() : toLoad.stream();
                loading.forEach(w -> {
                    checkInterrupted(caller);
                    source.load(spec, w, tensors.get(w.name()));
                    progress.step();
                });
            }
            for (Positions.ConstantTable table : constants) {
                tensors.get(table.name()).setFloats(table.values());
            }
            List<Context> all = new java.util.ArrayList<>(contexts.values());
            all.addAll(mapped.contexts());
            RepackedCopies stacks = RepackedProjections.stacks(stackHomes, tensors);
            RepackedCopies repacked = RepackedCopies.ofWeights(copyHomes, tensors);
            RepackedCopies head = RepackedHead.of(tensors, devices,
                    options.repack() || copies && mapped.names().contains("token_embd.weight"));
            for (RepackedCopies made : List.of(stacks, repacked, head)) {
                all.addAll(made.contexts());
                made.bytesByType().forEach((home, size) -> bytesByType.merge(home, size, Long::sum));
                bytes += made.bytes();
            }
            stacked.putAll(stacks.copies());
            return new Weights(List.copyOf(all), bytes, bytesByType, tensors, layout, mapped.bytes(), stacked,
                    head.copies().get("output.weight"), repacked.copies());
        } catch (RuntimeException e) {
            contexts.values().forEach(Context::close);
            mapped.contexts().forEach(Context::close);
            throw e;
        }
    }

    /**
     * The buffer type a weight lives in: an extra (repacking) type when ggml can multiply it there, else the
     * backend's default. The token embedding stays in the default buffer because lookups (get_rows) read it.
     */
    private static BufferType placement(WeightLayout.Weight w, GgmlType type, Backend backend, BufferType plain,
                                        List<BufferType> extras) {
        if (!w.matrix() || !type.isQuantized() || w.role() == WeightRole.TOKEN_EMBEDDING) {
            return plain;
        }
        // Stacked experts are multiplied by mul_mat_id, every other matrix by mul_mat: ask for the op it will meet.
        boolean experts = w.component().equals("experts");
        for (BufferType extra : extras) {
            if (experts ? backend.supportsMatMulIdWeight(extra, type, w.ne())
                    : backend.supportsMatMulWeight(extra, type, w.ne())) {
                return extra;
            }
        }
        return plain;
    }

    /**
     * Bytes the weights take when stored as {@code options} and {@code source} say: the rule {@link #create}
     * allocates by, without the few bytes of alignment between tensors and the small constant tables. A tied
     * head's repacked copy of a quantized embedding ({@link RepackedHead}) counts once more where repacking would
     * make it (ggml repacks on AVX2 CPUs; elsewhere this over-counts by the embedding). A weight mapped from the
     * file and multiplied through a repacked copy ({@link ModelOptions#repackMapped()}) counts once: after the
     * copy is made its mapped pages are the file's cache, which the system reclaims when memory runs short.
     */
    public static long bytes(ModelSpec spec, ModelOptions options, WeightSource source) {
        return bytes(WeightLayout.of(spec), options, source);
    }

    /** As {@link #bytes(ModelSpec, ModelOptions, WeightSource)}, for the weights of {@code layout}. */
    public static long bytes(List<WeightLayout.Weight> layout, ModelOptions options, WeightSource source) {
        long bytes = 0;
        WeightLayout.Weight embedding = null;
        boolean output = false;
        for (WeightLayout.Weight w : layout) {
            bytes += bytes(w, options, source);
            embedding = w.name().equals("token_embd.weight") ? w : embedding;
            output |= w.name().equals("output.weight");
        }
        return bytes + (!output && embedding != null && headCopied(embedding, options, source)
                ? bytes(embedding, options, source) : 0);
    }

    private static long bytes(WeightLayout.Weight w, ModelOptions options, WeightSource source) {
        return bytes(w, typeFor(w, options, source));
    }

    /** Bytes of weight {@code w} stored in {@code type}, rows back to back. */
    static long bytes(WeightLayout.Weight w, GgmlType type) {
        return w.elements() / w.ne()[0] * type.rowBytes(w.ne()[0]);
    }

    /** Whether a tied head over {@code embedding} gets a repacked copy (the rule {@link #create} gives RepackedHead). */
    private static boolean headCopied(WeightLayout.Weight embedding, ModelOptions options, WeightSource source) {
        GgmlType type = typeFor(embedding, options, source);
        return type.isQuantized()
                && (options.repack() || copiesOfMapped(options) && source.inFile(embedding, type) != null);
    }

    /** Whether quantized matrices used in place from the mapped file get repacked copies ({@code repackMapped}). */
    private static boolean copiesOfMapped(ModelOptions options) {
        return !options.repack() && options.repackMapped() && options.mapWeights();
    }

    /** The type a weight is stored in: the source's own (a GGUF file's), else the options' rule for matrices. */
    private static GgmlType typeFor(WeightLayout.Weight w, ModelOptions options, WeightSource source) {
        GgmlType stored = source.storedType(w);
        if (stored != null) {
            return stored;
        }
        return StoredTypes.of(w, options.matrixType());
    }

    /** Stops loading when the thread that asked for the weights was interrupted (workers may be others). */
    private static void checkInterrupted(Thread caller) {
        if (caller.isInterrupted()) {
            throw new dev.llmgraph.ggml.ComputeInterruptedException("weight initialisation was interrupted");
        }
    }

    public Tensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("this model has no weight named '" + name + "'; it has "
                    + tensors.keySet().stream().limit(8).toList() + (tensors.size() > 8 ? " and more" : ""));
        }
        return t;
    }

    /**
     * What a product multiplies by for the weight {@code name}: its repacked copy where it has one
     * ({@link RepackedCopies}), else the weight; a trainable graph always gets the weight (a repacking buffer
     * takes part in no backward pass).
     */
    Tensor matrix(String name, boolean trainable) {
        Tensor copy = trainable ? null : repackedCopies.get(name);
        return copy != null ? copy : get(name);
    }

    /** How many weights are multiplied through a repacked copy ({@link ModelOptions#repackMapped()}). */
    public int repackedCopies() {
        return repackedCopies.size();
    }

    /** The weight, or null when the spec has none of that name. */
    Tensor find(String name) {
        return tensors.get(name);
    }

    /**
     * Layer {@code layer}'s q, k and v matrices as one [d, q + k + v] tensor, or null where the file does not store
     * them as one: over their mapped memory ({@link MappedWeights#stackProjections}), holding them in a backend's
     * memory ({@link CopiedStacks}), or a repacked copy ({@link RepackedProjections}).
     */
    Tensor stackedProjections(int layer) {
        return stacked.get("blk." + layer + ".attn_qkv.weight");
    }

    /**
     * Layer {@code layer}'s q, k and v biases as one [q + k + v] tensor, or null where the file does not store them
     * as one: over their mapped memory ({@link MappedWeights#stackProjections}) or holding them ({@link CopiedStacks}).
     */
    Tensor stackedBias(int layer) {
        return stacked.get("blk." + layer + ".attn_qkv.bias");
    }

    /** How many layers multiply q, k and v as one matrix ({@link #stackedProjections}). */
    public int stackedProjectionLayers() {
        return (int) stacked.keySet().stream().filter(QkvStack::ofMatrices).count();
    }

    /**
     * What a head multiplies by for the table {@code name}: a tied head's repacked copy of the token embedding
     * where there is one ({@link RepackedHead}), else {@link #matrix} of the weight.
     */
    Tensor head(String name) {
        return tiedHead != null && name.equals("token_embd.weight") ? tiedHead : matrix(name, false);
    }

    /**
     * A view of these weights under other names ({@code alias -> stored name}): one stack of an encoder-decoder
     * lowered by its own plan's names. The view owns nothing; closing it frees nothing.
     */
    public Weights aliased(Map<String, String> aliasToStored) {
        Map<String, Tensor> view = new LinkedHashMap<>();
        aliasToStored.forEach((alias, stored) -> view.put(alias, get(stored)));
        Map<String, Tensor> copies = new LinkedHashMap<>();
        aliasToStored.forEach((alias, stored) -> {
            if (repackedCopies.containsKey(stored)) {
                copies.put(alias, repackedCopies.get(stored));
            }
        });
        return new Weights(List.of(), 0, Map.of(), view, List.of(), 0, Map.of(), null, copies);
    }

    public List<WeightLayout.Weight> layout() {
        return layout;
    }

    public long byteSize() {
        return bytes;
    }

    /** Bytes of the weights used in place from the mapped model file ({@link ModelOptions#mapWeights()}). */
    public long mappedBytes() {
        return mappedBytes;
    }

    /** Bytes of the weights in {@code backend}'s memory (its default and extra buffer types). */
    public long byteSize(Backend backend) {
        long total = bytesByType.getOrDefault(backend.defaultBufferType(), 0L);
        for (BufferType extra : backend.extraBufferTypes()) {
            total += bytesByType.getOrDefault(extra, 0L);
        }
        return total;
    }

    @Override
    public void close() {
        contexts.forEach(Context::close);
    }
}
