package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.RemoteDeviceException;
import dev.llmgraph.ggml.RpcEndpoint;
import dev.llmgraph.ggml.RpcServerProcess;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.Placement;
import dev.llmgraph.model.Session;
import dev.llmgraph.model.WeightInit;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * What a learner sees when an RPC server is not there or goes away: a Java exception that names the server, never
 * a native abort (ggml's RPC client would abort the JVM), and a model that closes cleanly and loads again on the
 * servers that remain.
 */
class RpcFaultTest {

    @Test
    void aServerThatIsNotThereAtLoadTimeIsNamedByItsAddress() {
        int port = RpcServerProcess.freePort();
        var e = assertThrows(RemoteDeviceException.class, () -> Model.random(RpcSplitTest.spec(), WeightInit.lecun(1),
                ModelOptions.cpu().withPlacement(Placement.rpc("127.0.0.1:" + port))));
        assertEquals("RPC server 127.0.0.1:" + port + ": nothing listens there (the connection was refused); start one "
                + "with bin/llmgraph rpc-server --host H --port P on that machine, or remove it from the list",
                e.getMessage());
        assertEquals(new RpcEndpoint("127.0.0.1", port), e.endpoint());
    }

    @Test
    void aServerKilledMidGenerationFailsTheNextStepInWordsAndTheModelReloadsOnTheOthers() {
        try (RpcServerProcess doomed = RpcServerProcess.startLocal(1);
             RpcServerProcess survivor = RpcServerProcess.startLocal(1)) {
            ModelOptions options = ModelOptions.cpu().withThreads(2);
            Placement both = new Placement(List.of(doomed.endpoint(), survivor.endpoint()), new float[] {1, 1}, 1);
            int[] prompt = RpcSplitTest.PROMPT;
            Model model = Model.random(RpcSplitTest.spec(), WeightInit.lecun(3), options.withPlacement(both));
            Session session = model.session(48);
            float[] logits = session.feed(prompt);
            for (int step = 0; step < 3; step++) {
                logits = session.feed(argmax(logits));
            }
            doomed.kill();
            float[] last = logits;
            var e = assertThrows(RemoteDeviceException.class, () -> session.feed(argmax(last)));
            assertEquals("RPC server " + doomed.endpoint() + ": the server has gone (its connection was closed: the "
                    + "process ended or was killed); close this model and load it again without this server, or start "
                    + "the server again and reload", e.getMessage());
            session.close();
            model.close(); // frees nothing on the lost server (that would abort), everything elsewhere

            // Loaded again on the server that remains, it computes what one process computes.
            Placement remaining = new Placement(List.of(survivor.endpoint()), new float[0], 1);
            float[] reloaded, alone;
            try (Model again = Model.random(RpcSplitTest.spec(), WeightInit.lecun(3),
                    options.withPlacement(remaining))) {
                reloaded = LlamaCppParityTest.overWholeContext(again, prompt);
            }
            try (Model local = Model.random(RpcSplitTest.spec(), WeightInit.lecun(3), options)) {
                alone = LlamaCppParityTest.overWholeContext(local, prompt);
            }
            RpcSplitTest.assertClose(alone, reloaded, "reloaded on the remaining server vs one process");

            // The lost address stays refused in this process: ggml keeps its broken connection.
            var refused = assertThrows(RemoteDeviceException.class, () -> Model.random(RpcSplitTest.spec(),
                    WeightInit.lecun(3), options.withPlacement(new Placement(List.of(doomed.endpoint()), new float[0],
                            0))));
            assertEquals("RPC server " + doomed.endpoint() + ": this process lost its connection to the server there "
                    + "earlier, and ggml's RPC client keeps that broken connection for as long as the process runs; "
                    + "start the new server on another port, or restart this JVM (in a notebook: restart the kernel)",
                    refused.getMessage());
        }
    }

    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }
}
