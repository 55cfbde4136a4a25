package dev.llmgraph.model;

import dev.llmgraph.ggml.Backend;
import dev.llmgraph.ggml.RemoteDevice;
import dev.llmgraph.ggml.RpcServers;
import dev.llmgraph.model.lower.LayerDevices;
import dev.llmgraph.spec.ModelSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * The backends a model runs on, opened: this process's backend (and the CPU behind a GPU), the RPC servers'
 * devices its {@link Placement} names, and which of them each layer lives on.
 *
 * @param scheduled every backend, in the scheduler's order: this process's GPU, the servers' devices, the CPU
 * @param layers    the backend of each layer
 */
record ModelDevices(List<Backend> scheduled, LayerDevices layers) {

    static ModelDevices open(ModelSpec spec, ModelOptions options) {
        Placement placement = options.placement();
        if (placement.localLayers() > spec.layers()) {
            throw new IllegalArgumentException("localLayers = " + placement.localLayers() + ", but " + spec.name()
                    + " has " + spec.layers() + " layers; keep at most " + spec.layers() + " on this process");
        }
        List<Backend> opened = new ArrayList<>();
        try {
            List<Backend> remote = new ArrayList<>();
            long[] free = new long[placement.servers().size()];
            for (int i = 0; i < free.length; i++) {
                RemoteDevice device = RpcServers.device(placement.servers().get(i));
                free[i] = device.describe().freeBytes();
                Backend backend = device.open();
                opened.add(backend);
                remote.add(backend);
            }
            Backend local = Backend.byName(options.backend(), options.threads());
            opened.add(local);
            List<Backend> scheduled = new ArrayList<>();
            if (!local.isCpu()) {
                scheduled.add(local); // first: the scheduler then stages inputs in its pinned host memory
            }
            scheduled.addAll(remote);
            if (local.isCpu()) {
                scheduled.add(local);
            } else {
                Backend cpu = Backend.cpu(options.threads());
                opened.add(cpu);
                scheduled.add(cpu);
            }
            int[] units = placement.assign(spec.layers(), free);
            List<Backend> byUnit = new ArrayList<>();
            for (int unit : units) {
                byUnit.add(unit < 0 ? local : remote.get(unit));
            }
            return new ModelDevices(List.copyOf(scheduled), new LayerDevices(local, byUnit));
        } catch (RuntimeException e) {
            opened.forEach(Backend::close);
            throw e;
        }
    }
}
