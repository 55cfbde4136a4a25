package dev.llmgraph.model;

import dev.llmgraph.display.PlacementDiagram;
import dev.llmgraph.display.RichDisplay;
import dev.llmgraph.display.Table;
import dev.llmgraph.ggml.Backend;
import dev.llmgraph.model.lower.KvCache;
import dev.llmgraph.model.lower.LayerDevices;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which device holds which layers of a model, and how many bytes of its weights, KV cache (with a session) and
 * compute memory: one row per device, this process's first. The byte counts are read from the buffers ggml
 * allocated.
 *
 * @param rows        one per device
 * @param unitDevices for the input, each layer and the output in order, the index of its row
 */
public record PlacementTable(List<Row> rows, int[] unitDevices) implements RichDisplay {

    /**
     * One device's share.
     *
     * @param device       ggml's name of the device's backend (CPU, CUDA0, RPC0[host:port], ...)
     * @param server       the RPC server's address, or "this process"
     * @param layers       the layers it holds, e.g. "0-3", with "input" and "output" where it holds those
     * @param weightBytes  bytes of weights on it
     * @param cacheBytes   bytes of the session's KV cache and recurrent state on it (0 without a session)
     * @param computeBytes bytes of compute memory the scheduler holds on it
     */
    public record Row(String device, String server, String layers, long weightBytes, long cacheBytes,
                      long computeBytes) {
    }

    static PlacementTable of(Model model, LayerDevices devices, List<Backend> backends, KvCache cache) {
        List<Row> rows = new ArrayList<>();
        int layers = model.spec().layers();
        List<Backend> ordered = new ArrayList<>(List.of(devices.local())); // the input first, then the scheduler's order
        backends.stream().filter(b -> b != devices.local()).forEach(ordered::add);
        for (Backend b : ordered) {
            List<String> parts = new ArrayList<>();
            if (b == devices.local()) {
                parts.add("input");
            }
            String range = ranges(layers, devices, b);
            if (!range.isEmpty()) {
                parts.add(range);
            }
            if (devices.output() == b) {
                parts.add("output");
            }
            rows.add(new Row(b.name(), b.remote().map(Object::toString).orElse("this process"), String.join(", ", parts),
                    model.weights().byteSize(b), cache == null ? 0 : cache.byteSize(b), model.compute().scheduler().computeBytes(b)));
        }
        int[] units = new int[layers + 2];
        units[0] = ordered.indexOf(devices.local());
        for (int i = 0; i < layers; i++) {
            units[i + 1] = ordered.indexOf(devices.layer(i));
        }
        units[layers + 1] = ordered.indexOf(devices.output());
        return new PlacementTable(List.copyOf(rows), units);
    }

    /** Runs of consecutive layers on {@code backend}: "0-3, 6". */
    private static String ranges(int layers, LayerDevices devices, Backend backend) {
        List<String> runs = new ArrayList<>();
        int start = -1;
        for (int i = 0; i <= layers; i++) {
            boolean here = i < layers && devices.layer(i) == backend;
            if (here && start < 0) {
                start = i;
            } else if (!here && start >= 0) {
                runs.add(start == i - 1 ? Integer.toString(start) : start + "-" + (i - 1));
                start = -1;
            }
        }
        return String.join(", ", runs);
    }

    /** The row of the device named {@code device}. */
    public Row row(String device) {
        return rows.stream().filter(r -> r.device().equals(device)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("no device named " + device + " holds part of this model; it is on "
                        + rows.stream().map(Row::device).toList()));
    }

    /** One line: each device's layers, e.g. "input, 0-3 on CPU; 4-8 on RPC0[10.0.0.2:50052]". */
    public String summary() {
        return String.join("; ", rows.stream().map(r -> r.layers() + " on " + r.device()).toList());
    }

    public Table table() {
        Table t = Table.of("device", "server", "layers", "weights (bytes)", "KV cache / state (bytes)",
                "compute (bytes)");
        for (Row r : rows) {
            t.row(r.device(), r.server(), r.layers(), r.weightBytes(), r.cacheBytes(), r.computeBytes());
        }
        return t.caption("where the model's layers live");
    }

    /** The layers as a strip of boxes coloured by device (SVG). */
    public String diagram() {
        List<String> units = new ArrayList<>(List.of("in"));
        for (int i = 1; i < unitDevices.length - 1; i++) {
            units.add(Integer.toString(i - 1));
        }
        units.add("out");
        return PlacementDiagram.svg(units, unitDevices, rows.stream().map(r -> r.device() + " (" + r.server() + ")")
                .toList());
    }

    @Override
    public Map<String, String> mimeBundle() {
        return Map.of("text/html", diagram() + table().html(), "text/plain", toString());
    }

    @Override
    public String toString() {
        return table().toString();
    }
}
