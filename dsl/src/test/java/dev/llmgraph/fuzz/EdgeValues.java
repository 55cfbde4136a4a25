package dev.llmgraph.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgraph.io.hf.HfConfig;

import java.math.BigInteger;
import java.util.SplittableRandom;

/** The values that break parsers and size arithmetic: zero, negatives, the edges of int and long, NaN-like text. */
final class EdgeValues {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    static final int[] INTS = {0, -1, 1, 2, 3, 7, 64, 1 << 16, Integer.MAX_VALUE, Integer.MIN_VALUE,
            Integer.MAX_VALUE / 2 + 1, 46_341};
    static final double[] DOUBLES = {0, -0.0, -1, 1e-300, 1e300, Double.NaN, Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY, 0.5, 1.5, Double.MIN_VALUE, Double.MAX_VALUE};

    private EdgeValues() {}

    static int anInt(SplittableRandom r) {
        return r.nextInt(4) == 0 ? r.nextInt(-10, 5000) : INTS[r.nextInt(INTS.length)];
    }

    static double aDouble(SplittableRandom r) {
        return r.nextInt(4) == 0 ? r.nextDouble(-10, 1e5) : DOUBLES[r.nextInt(DOUBLES.length)];
    }

    /** A JSON value of any kind, biased towards numbers at the edges. */
    static JsonNode aJsonValue(SplittableRandom r) {
        return switch (r.nextInt(14)) {
            case 0 -> JSON.numberNode(anInt(r));
            case 1 -> JSON.numberNode(Long.MAX_VALUE);
            case 2 -> JSON.numberNode(new BigInteger("18446744073709551616"));
            case 3 -> JSON.numberNode(-r.nextLong(1, 1L << 40));
            case 4 -> JSON.numberNode(aDouble(r) * (r.nextBoolean() ? 1 : 1e10));
            case 5 -> JSON.textNode(String.valueOf(anInt(r)));
            case 6 -> JSON.textNode(r.nextBoolean() ? "" : "x\u0000\uD800");
            case 7 -> JSON.booleanNode(r.nextBoolean());
            case 8 -> JSON.nullNode();
            case 9 -> JSON.arrayNode();
            case 10 -> JSON.objectNode();
            case 11 -> JSON.arrayNode().add(anInt(r)).add(anInt(r));
            case 12 -> JSON.numberNode(1L << r.nextInt(31, 63));
            default -> JSON.numberNode(r.nextInt(0, 100));
        };
    }

    /** A change a JSON fuzz target makes somewhere in a document, noting it in {@code what}. */
    interface JsonMutation {
        void apply(ObjectNode root, SplittableRandom r, StringBuilder what);
    }

    /** {@code document} changed in one to four places by {@code mutation}, as JSON text. */
    static String mutatedJson(String document, SplittableRandom r, JsonMutation mutation, StringBuilder what)
            throws java.io.IOException {
        ObjectNode root = (ObjectNode) HfConfig.JSON.readTree(document);
        int edits = r.nextInt(1, 5);
        for (int i = 0; i < edits; i++) {
            mutation.apply(root, r, what);
        }
        return HfConfig.JSON.writeValueAsString(root);
    }
}
