package dev.llmgraph.io.safetensors;

import dev.llmgraph.io.hf.JsonErrors;
import dev.llmgraph.io.hf.HfTensor;
import dev.llmgraph.io.hf.HfConfig;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.llmgraph.ggml.MappedFile;
import dev.llmgraph.ggml.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One safetensors file, mapped into memory and its header checked. The format:
 * <pre>
 *  8 bytes   N, the header length, little-endian unsigned
 *  N bytes   a JSON object: tensor name -> {"dtype": "F32", "shape": [rows, cols], "data_offsets": [begin, end]},
 *            and optionally "__metadata__": {string: string}; padded with spaces
 *  the rest  the data; a tensor's bytes are [begin, end) counted from the end of the header, row-major,
 *            little-endian
 * </pre>
 * Every entry is checked when the file opens: a known dtype, a shape of whole numbers, offsets inside the
 * data, a byte count that matches shape and dtype, no two tensors sharing bytes. Gaps between tensors are
 * allowed. Tensor data is never copied onto the Java heap: {@link SafetensorsWeights} moves it from the
 * mapping into backend tensors.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** safetensors' own limit on the header, which keeps a corrupt length from allocating gigabytes. */
    static final long MAX_HEADER_BYTES = 100_000_000;

    /** More tensors than any one file of a published checkpoint holds; refused before the header becomes a tree. */
    static final int MAX_TENSORS = 100_000;

    /** A tensor's header entry; {@code begin} and {@code end} count from the start of the data. */
    public record Entry(String name, SafetensorsDtype dtype, long[] shape, long begin, long end) {
        public Entry {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        public long elements() {
            return Arrays.stream(shape).reduce(1, Math::multiplyExact);
        }

        @Override
        public String toString() {
            return name + " " + dtype + " " + Arrays.toString(shape);
        }
    }

    private final Path path;
    private final MappedFile file;
    private final long dataStart;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, MappedFile file, long dataStart, Map<String, Entry> entries,
                            Map<String, String> metadata) {
        this.path = path;
        this.file = file;
        this.dataStart = dataStart;
        this.entries = Collections.unmodifiableMap(entries);
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    /** Maps {@code path} and checks its header. */
    public static SafetensorsFile open(Path path) {
        MappedFile file = MappedFile.openForReading(path);
        try {
            return parse(path, file);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    private static SafetensorsFile parse(Path path, MappedFile file) {
        long size = file.byteSize();
        if (size < 8) {
            throw new SafetensorsException(path, null, "the file is " + size + " bytes long, too short for the 8-byte "
                    + "header length a safetensors file starts with");
        }
        long headerLength = file.longLittleEndian(0);
        if (headerLength < 0 || headerLength > size - 8) {
            throw new SafetensorsException(path, null, "the header length " + Long.toUnsignedString(headerLength)
                    + " runs past the end of the file (" + (size - 8) + " bytes follow the 8-byte length)");
        }
        if (headerLength > MAX_HEADER_BYTES) {
            throw new SafetensorsException(path, null, "the header length " + headerLength + " exceeds the "
                    + MAX_HEADER_BYTES + " bytes safetensors allows");
        }
        byte[] header = file.bytes(8, (int) headerLength);
        long keys = topLevelKeys(header);
        if (keys > MAX_TENSORS) {
            throw new SafetensorsException(path, null, "the header lists more than " + MAX_TENSORS + " tensors (it "
                    + "was not read further); a checkpoint of that many tensors is split into shards with an index");
        }
        JsonNode root;
        try {
            root = HfConfig.JSON.readTree(header);
        } catch (JsonProcessingException e) {
            throw new SafetensorsException(path, null, "the header is not valid JSON: " + JsonErrors.describe(e));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (root == null || !root.isObject()) {
            throw new SafetensorsException(path, null, "the header holds " + (root == null || root.isMissingNode() ? "nothing"
                    : "a JSON " + root.getNodeType().name().toLowerCase(java.util.Locale.ROOT))
                    + ", not an object of tensors");
        }
        long dataSize = size - 8 - headerLength;
        Map<String, Entry> entries = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (var field : root.properties()) {
            if (field.getKey().equals("__metadata__")) {
                metadata(path, field.getValue(), metadata);
            } else {
                entries.put(field.getKey(), entry(path, field.getKey(), field.getValue(), dataSize));
            }
        }
        checkOverlaps(path, entries.values());
        return new SafetensorsFile(path, file, 8 + headerLength, entries, metadata);
    }

    /**
     * The number of keys of the header's top-level object, counted by streaming up to {@link #MAX_TENSORS} + 1
     * before a tree of them is built; 0 when the header is not such an object (the tree reader then says why).
     */
    private static long topLevelKeys(byte[] header) {
        try (JsonParser parser = HfConfig.JSON.getFactory().createParser(header)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return 0;
            }
            long keys = 0;
            while (parser.nextToken() == JsonToken.FIELD_NAME && keys <= MAX_TENSORS) {
                keys++;
                parser.nextToken();
                parser.skipChildren();
            }
            return keys;
        } catch (IOException e) {
            return 0;
        }
    }

    private static Entry entry(Path path, String name, JsonNode node, long dataSize) {
        if (!node.isObject()) {
            throw new SafetensorsException(path, name, "the entry = " + node + " must be an object with dtype, shape "
                    + "and data_offsets");
        }
        SafetensorsDtype dtype = dtype(path, name, node.get("dtype"));
        long[] shape = wholeNumbers(path, name, node.get("shape"), "shape", "an array of whole numbers >= 0", -1);
        long[] offsets = wholeNumbers(path, name, node.get("data_offsets"), "data_offsets",
                "[begin, end] with 0 <= begin <= end", 2);
        if (offsets[0] > offsets[1]) {
            throw new SafetensorsException(path, name, "data_offsets = " + node.get("data_offsets") + " must be [begin, "
                    + "end] with 0 <= begin <= end");
        }
        if (offsets[1] > dataSize) {
            throw new SafetensorsException(path, name, "data_offsets " + Arrays.toString(offsets) + " run past the end "
                    + "of the data (" + dataSize + " bytes follow the header)");
        }
        long needed;
        try {
            needed = Math.multiplyExact(Arrays.stream(shape).reduce(1, Math::multiplyExact), dtype.bytes());
        } catch (ArithmeticException e) {
            throw new SafetensorsException(path, name, "shape " + Arrays.toString(shape) + " has more elements than "
                    + "a file can hold");
        }
        if (needed != offsets[1] - offsets[0]) {
            throw new SafetensorsException(path, name, "shape " + Arrays.toString(shape) + " of " + dtype + " needs "
                    + needed + " bytes but data_offsets " + Arrays.toString(offsets) + " hold "
                    + (offsets[1] - offsets[0]));
        }
        return new Entry(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static SafetensorsDtype dtype(Path path, String name, JsonNode node) {
        if (node == null) {
            throw new SafetensorsException(path, name, "dtype is missing");
        }
        if (!node.isTextual()) {
            throw new SafetensorsException(path, name, "dtype = " + node + " must be a string");
        }
        SafetensorsDtype dtype = SafetensorsDtype.byName(node.textValue());
        if (dtype == null) {
            throw new SafetensorsException(path, name, "dtype '" + node.textValue() + "' is not a safetensors dtype ("
                    + SafetensorsDtype.known() + ")");
        }
        return dtype;
    }

    /** The array {@code node} of whole numbers >= 0 ({@code length} of them, or any number when -1). */
    private static long[] wholeNumbers(Path path, String tensor, JsonNode node, String field, String rule, int length) {
        if (node == null) {
            throw new SafetensorsException(path, tensor, field + " is missing");
        }
        boolean ok = node.isArray() && (length < 0 || node.size() == length);
        long[] out = new long[ok ? node.size() : 0];
        for (int i = 0; ok && i < out.length; i++) {
            JsonNode x = node.get(i);
            ok = x.isIntegralNumber() && x.canConvertToLong() && x.longValue() >= 0;
            out[i] = ok ? x.longValue() : 0;
        }
        if (!ok) {
            throw new SafetensorsException(path, tensor, field + " = " + node + " must be " + rule);
        }
        return out;
    }

    private static void metadata(Path path, JsonNode node, Map<String, String> out) {
        boolean ok = node.isObject();
        for (var field : ok ? node.properties() : java.util.Set.<Map.Entry<String, JsonNode>>of()) {
            ok &= field.getValue().isTextual();
            out.put(field.getKey(), field.getValue().asText());
        }
        if (!ok) {
            throw new SafetensorsException(path, null, "__metadata__ = " + node + " must map names to strings");
        }
    }

    private static void checkOverlaps(Path path, Iterable<Entry> entries) {
        List<Entry> sorted = new ArrayList<>();
        entries.forEach(e -> {
            if (e.end() > e.begin()) {
                sorted.add(e);
            }
        });
        sorted.sort(Comparator.comparingLong(Entry::begin));
        for (int i = 1; i < sorted.size(); i++) {
            Entry before = sorted.get(i - 1), e = sorted.get(i);
            if (e.begin() < before.end()) {
                throw new SafetensorsException(path, e.name(), "data_offsets [" + e.begin() + ", " + e.end()
                        + "] overlap those of tensor '" + before.name() + "' [" + before.begin() + ", " + before.end()
                        + "]");
            }
        }
    }

    public Path path() {
        return path;
    }

    /** The tensors by name, in header order. */
    public Map<String, Entry> tensors() {
        return entries;
    }

    /** The entry named {@code name}, or null. */
    public Entry entry(String name) {
        return entries.get(name);
    }

    /** The {@code __metadata__} strings (empty when the header has none). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Copies {@code part} of the HF tensor {@code entry} into {@code target}, converting its dtype as needed. */
    void copyTo(Tensor target, Entry entry, HfTensor.Part part) {
        file.copyTo(target, entry.dtype().ggmlType(), part.region(dataStart + entry.begin(), entry.dtype().bytes()));
    }

    /** Fills {@code target} from {@code entries}, one slab of {@code slabElements} each, in order (a stack of experts). */
    void copySlabsTo(Tensor target, List<Entry> entries, long slabElements) {
        long[] offsets = entries.stream().mapToLong(e -> dataStart + e.begin()).toArray();
        file.copyTo(target, entries.getFirst().dtype().ggmlType(), HfTensor.Slab.gathered(slabElements, offsets));
    }

    @Override
    public void close() {
        file.close();
    }

    @Override
    public String toString() {
        return "SafetensorsFile(" + path + ", " + entries.size() + " tensors)";
    }
}
