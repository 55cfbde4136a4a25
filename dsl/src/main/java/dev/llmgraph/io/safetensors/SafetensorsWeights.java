package dev.llmgraph.io.safetensors;

import dev.llmgraph.io.hf.HfTensor;
import dev.llmgraph.io.hf.HfNames;
import dev.llmgraph.io.hf.HfModelType;
import dev.llmgraph.io.hf.HfConfig;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightSource;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.WeightLayout;
import dev.llmgraph.spec.WeightRole;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A Hugging Face safetensors checkpoint (one file, or shards listed in {@code model.safetensors.index.json})
 * as the weights of a model:
 * <pre>{@code
 * ModelSpec spec = HfConfig.read(dir);
 * try (var weights = SafetensorsWeights.open(dir)) {
 *     model = Model.create(spec, weights, ModelOptions.cpu());
 * }
 * }</pre>
 * Tensor names and layouts map as {@link HfNames} describes. Matrices keep the checkpoint's dtype (F32, F16
 * or BF16) and their bytes go from the mapped file straight into backend memory; norms, biases and position
 * tables become F32, which ggml's element-wise ops need. With {@link #typesFromOptions()} matrices take
 * the model options' type instead (e.g. Q8_0), converted on the way (dtype -> F32 -> type, by ggml).
 * Missing tensors and unsupported dtypes are reported before any memory is allocated; a shape that does not
 * fit the spec, before any data is copied. Close it once the model is created.
 */
public final class SafetensorsWeights implements WeightSource, AutoCloseable {
    private record Located(SafetensorsFile file, SafetensorsFile.Entry entry) {}

    /** Where a weight comes from: one part of one HF tensor, or (a stack of experts) one slab from each of several. */
    private record Resolved(HfTensor.Part part, Located where, List<Located> slabs) {}

    private final Path origin;
    private final HfModelType type;
    private final List<SafetensorsFile> files;
    private final Map<String, Located> tensors;
    private boolean typesFromOptions;
    private ModelSpec resolvedSpec;
    private Map<String, Resolved> resolved;

    private SafetensorsWeights(Path origin, HfModelType type, List<SafetensorsFile> files, Map<String, Located> tensors) {
        this.origin = origin;
        this.type = type;
        this.files = files;
        this.tensors = tensors;
    }

    /**
     * A checkpoint folder (or its model.safetensors, or its index), whose tensor names follow the
     * {@code model_type} of the config.json beside it.
     */
    public static SafetensorsWeights open(Path path) {
        Path folder = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
        Path config = folder.resolve("config.json");
        if (!Files.isRegularFile(config)) {
            throw new SafetensorsException(path, null, "there is no config.json beside it to tell the model type; name "
                    + "the type: SafetensorsWeights.open(path, HfModelType.LLAMA)");
        }
        return open(path, HfConfig.modelType(config));
    }

    /** A checkpoint folder, file or index whose tensor names follow {@code type}. */
    public static SafetensorsWeights open(Path path, HfModelType type) {
        Path origin = path;
        if (Files.isDirectory(path)) {
            Path index = path.resolve(SafetensorsIndex.FILE_NAME);
            origin = Files.exists(index) ? index : path.resolve("model.safetensors");
            if (!Files.exists(origin)) {
                throw new SafetensorsException(path, null, "the folder holds neither model.safetensors nor "
                        + SafetensorsIndex.FILE_NAME);
            }
        }
        return origin.getFileName().toString().endsWith(".index.json") ? fromIndex(origin, type) : fromFile(origin, type);
    }

    /**
     * Reads {@code dir}'s config.json and safetensors weights into a model run with {@code options}; matrices
     * keep the checkpoint's dtype.
     */
    public static Model loadModel(Path dir, ModelOptions options) {
        ModelSpec spec = HfConfig.read(dir);
        try (SafetensorsWeights weights = open(dir)) {
            return Model.create(spec, weights, options);
        }
    }

    private static SafetensorsWeights fromFile(Path path, HfModelType type) {
        SafetensorsFile file = SafetensorsFile.open(path);
        Map<String, Located> tensors = new LinkedHashMap<>();
        file.tensors().values().forEach(e -> tensors.put(e.name(), new Located(file, e)));
        return new SafetensorsWeights(path, type, List.of(file), tensors);
    }

    private static SafetensorsWeights fromIndex(Path index, HfModelType type) {
        Map<Path, SafetensorsFile> shards = new LinkedHashMap<>();
        try {
            Map<String, Located> tensors = new LinkedHashMap<>();
            for (var listed : SafetensorsIndex.read(index).entrySet()) {
                Path shardPath = listed.getValue();
                SafetensorsFile shard = shards.get(shardPath);
                if (shard == null) {
                    if (!Files.isRegularFile(shardPath)) {
                        throw new SafetensorsException(index, listed.getKey(), "is listed in shard '"
                                + shardPath.getFileName() + "', which does not exist");
                    }
                    shard = SafetensorsFile.open(shardPath);
                    shards.put(shardPath, shard);
                }
                SafetensorsFile.Entry entry = shard.entry(listed.getKey());
                if (entry == null) {
                    throw new SafetensorsException(index, listed.getKey(), "is listed in shard '"
                            + shardPath.getFileName() + "', which does not hold it");
                }
                tensors.put(listed.getKey(), new Located(shard, entry));
            }
            return new SafetensorsWeights(index, type, List.copyOf(shards.values()), tensors);
        } catch (RuntimeException e) {
            shards.values().forEach(SafetensorsFile::close);
            throw e;
        }
    }

    /** Matrices take the type of the model options (converted on load) instead of the checkpoint's dtype. */
    public SafetensorsWeights typesFromOptions() {
        this.typesFromOptions = true;
        return this;
    }

    public HfModelType modelType() {
        return type;
    }

    /** The file or index the weights came from. */
    public Path origin() {
        return origin;
    }

    /** The names of every tensor in the checkpoint. */
    public Set<String> tensorNames() {
        return Collections.unmodifiableSet(tensors.keySet());
    }

    @Override
    public GgmlType storedType(WeightLayout.Weight weight) {
        Located where = locate(weight.name());
        requireLoadable(where);
        if (!weight.matrix()) {
            return GgmlType.F32;
        }
        return typesFromOptions ? null : where.entry().dtype().ggmlType();
    }

    @Override
    public void load(ModelSpec spec, WeightLayout.Weight weight, Tensor target) {
        Resolved r = resolve(spec).get(weight.name());
        if (r.slabs() == null) {
            r.where().file().copyTo(target, r.where().entry(), r.part());
            if (gainStoredMinusOne(type, weight)) {
                target.setFloats(shifted(target.toFloats(), 1));
            }
            return;
        }
        List<SafetensorsFile.Entry> entries = new java.util.ArrayList<>();
        for (Located slab : r.slabs()) {
            if (slab.file() != r.where().file()) {
                throw new SafetensorsException(slab.file().path(), slab.entry().name(), "is in another shard than '"
                        + r.where().entry().name() + "' (" + r.where().file().path().getFileName() + "); llmgraph "
                        + "reads the experts of one layer's " + weight.name() + " from one shard");
            }
            if (slab.entry().dtype() != r.where().entry().dtype()) {
                throw new SafetensorsException(slab.file().path(), slab.entry().name(), "has dtype "
                        + slab.entry().dtype() + " but '" + r.where().entry().name() + "' has "
                        + r.where().entry().dtype() + "; the experts of one stack share a dtype");
            }
            entries.add(slab.entry());
        }
        r.where().file().copySlabsTo(target, entries, ((HfTensor.Slab) r.part()).slabElements());
    }

    /** Whether {@code type}'s checkpoints hold {@code weight} as llmgraph's gain minus one (Gemma's norms). */
    static boolean gainStoredMinusOne(HfModelType type, WeightLayout.Weight weight) {
        return type.storesNormGainsMinusOne() && weight.role() == WeightRole.NORM_GAIN;
    }

    /** {@code values}, each plus {@code delta} (in place): a stored gain minus one and back. */
    static float[] shifted(float[] values, float delta) {
        for (int i = 0; i < values.length; i++) {
            values[i] += delta;
        }
        return values;
    }

    /** Every weight of {@code spec} mapped to its place in the checkpoint, shapes checked; computed once per spec. */
    private Map<String, Resolved> resolve(ModelSpec spec) {
        if (spec.equals(resolvedSpec)) {
            return resolved;
        }
        List<HfTensor> expected;
        try {
            expected = HfNames.tensors(type, spec);
        } catch (IllegalArgumentException e) {
            throw new SafetensorsException(origin, null, e.getMessage());
        }
        Map<String, Resolved> out = new HashMap<>();
        Map<String, Located[]> slabs = new HashMap<>();
        for (HfTensor t : expected) {
            Located where = locateTensor(t.name(), t.parts().getFirst().weight());
            requireLoadable(where);
            if (!Arrays.equals(where.entry().shape(), t.shape())) {
                throw new SafetensorsException(where.file().path(), where.entry().name(), "has shape "
                        + Arrays.toString(where.entry().shape()) + " but spec '" + spec.name() + "' needs "
                        + Arrays.toString(t.shape()) + " for " + t.parts().stream().map(HfTensor.Part::weight)
                        .collect(Collectors.joining(", ")));
            }
            for (HfTensor.Part p : t.parts()) {
                if (p instanceof HfTensor.Slab slab) {
                    slabs.computeIfAbsent(p.weight(), w -> new Located[slab.count()])[slab.index()] = where;
                    out.putIfAbsent(p.weight(), new Resolved(p, where, null));
                } else {
                    out.put(p.weight(), new Resolved(p, where, null));
                }
            }
        }
        slabs.forEach((weight, located) -> {
            Resolved first = out.get(weight);
            out.put(weight, new Resolved(first.part(), first.where(), List.of(located)));
        });
        resolvedSpec = spec;
        resolved = out;
        return out;
    }

    private Located locate(String weight) {
        String name;
        try {
            name = HfNames.hfName(type, weight);
        } catch (IllegalArgumentException e) {
            throw new SafetensorsException(origin, null, e.getMessage());
        }
        return locateTensor(name, weight);
    }

    /** The HF tensor {@code name}, with or without the causal-LM prefix; {@code weight} is what it is read for. */
    private Located locateTensor(String name, String weight) {
        Located where = withOrWithoutPrefix(name);
        for (String other : HfNames.alternativeNames(type, name)) {
            where = where != null ? where : withOrWithoutPrefix(other);
        }
        if (where == null) {
            throw new SafetensorsException(origin, name, "not found; llmgraph's " + weight + " comes from it");
        }
        return where;
    }

    /** The tensor {@code name}, or the same name without the base model's prefix; null when neither is here. */
    private Located withOrWithoutPrefix(String name) {
        Located where = tensors.get(name);
        if (where == null && name.startsWith(type.basePrefix())) {
            where = tensors.get(name.substring(type.basePrefix().length()));
        }
        return where;
    }

    private static void requireLoadable(Located where) {
        if (where.entry().dtype().ggmlType() == null) {
            throw new SafetensorsException(where.file().path(), where.entry().name(), "has dtype "
                    + where.entry().dtype() + "; llmgraph loads F32, F16 and BF16 weights");
        }
    }

    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }

    @Override
    public String toString() {
        return "SafetensorsWeights(" + origin + ", " + type.id() + ", " + tensors.size() + " tensors in " + files.size()
                + (files.size() == 1 ? " file)" : " files)");
    }
}
