package dev.llmgraph.io.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgraph.spec.SlidingWindow;

/**
 * Newer configs list each layer's attention in {@code layer_types}: "full_attention" or
 * "sliding_attention", the window being {@code sliding_window}. llmgraph expresses three patterns of that
 * list: no layer slides, every layer slides, or every n-th layer (layers n-1, 2n-1, ...) is global.
 */
final class LayerTypes {
    private LayerTypes() {}

    static SlidingWindow window(ConfigFields f, int layers) {
        JsonNode list = f.get("layer_types");
        if (!list.isArray() || list.size() != layers) {
            throw f.error("layer_types", "field 'layer_types' must list \"full_attention\" or \"sliding_attention\" "
                    + "for each of the " + layers + " layers");
        }
        boolean[] slides = new boolean[layers];
        int sliding = 0;
        for (int i = 0; i < layers; i++) {
            String kind = list.get(i).asText();
            if (!kind.equals("full_attention") && !kind.equals("sliding_attention")) {
                throw f.error("layer_types", "field 'layer_types' has \"" + kind + "\" for layer " + i
                        + "; llmgraph reads \"full_attention\" and \"sliding_attention\"");
            }
            slides[i] = kind.equals("sliding_attention");
            sliding += slides[i] ? 1 : 0;
        }
        if (sliding == 0) {
            return null;
        }
        if (!f.has("sliding_window")) {
            throw f.error("sliding_window", "field 'sliding_window' is missing; 'layer_types' has sliding layers");
        }
        int size = f.optionalSize("sliding_window", 0);
        for (int every = 1; every <= layers + 1; every++) {
            SlidingWindow candidate = every > layers ? SlidingWindow.everyLayer(size)
                    : SlidingWindow.withGlobalEvery(size, every);
            if (matches(candidate, slides)) {
                return candidate;
            }
        }
        throw f.error("layer_types", "field 'layer_types' mixes full and sliding layers in a pattern llmgraph's "
                + "sliding window (every layer, or every n-th layer global) does not express");
    }

    /** Writes {@code layer_types} for {@code window} (null: every layer full). */
    static void write(SlidingWindow window, int layers, ObjectNode out) {
        ArrayNode list = out.putArray("layer_types");
        for (int i = 0; i < layers; i++) {
            list.add(window != null && window.slides(i) ? "sliding_attention" : "full_attention");
        }
    }

    private static boolean matches(SlidingWindow window, boolean[] slides) {
        for (int i = 0; i < slides.length; i++) {
            if (window.slides(i) != slides[i]) {
                return false;
            }
        }
        return true;
    }
}
