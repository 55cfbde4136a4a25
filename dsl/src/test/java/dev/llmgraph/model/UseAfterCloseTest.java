package dev.llmgraph.model;

import dev.llmgraph.ggml.Backend;
import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.presets.Presets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A model, a session, a tensor and a backend used after close: each throws {@link IllegalStateException}
 * naming the object, instead of reading freed native memory (which would take the JVM down).
 */
class UseAfterCloseTest {
    private static final ModelOptions CPU = ModelOptions.cpu().withThreads(1);

    private static void state(String message, Executable call) {
        assertEquals(message, assertThrows(IllegalStateException.class, call).getMessage());
    }

    @Test
    void model() {
        Model model = Model.random(Presets.byName("tiny-llama-2-7b"), WeightInit.lecun(1), CPU);
        model.close();
        String closed = "model 'tiny-llama-2-7b' was closed; create a new one";
        state(closed, () -> model.forward(1, 2));
        state(closed, model::session);
        state(closed, () -> model.weight("output_norm.weight"));
        state(closed, () -> model.generate(new int[] {1}, GenerationConfig.greedy(2)));
        model.close(); // a second close is harmless
    }

    @Test
    void session() {
        try (Model model = Model.random(Presets.byName("tiny-llama-2-7b"), WeightInit.lecun(1), CPU)) {
            Session session = model.session();
            session.feed(1);
            session.close();
            String closed = "this session of model 'tiny-llama-2-7b' was closed; open a new one with model.session()";
            state(closed, () -> session.feed(2));
            state(closed, session::cacheBytes);
            state(closed, () -> session.feedAll(2, 3));
            assertEquals(2, model.forward(1, 2).tokens(), "the model outlives its session");
        }
    }

    @Test
    void aSessionOfAClosedModelNamesTheModel() {
        Model model = Model.random(Presets.byName("tiny-llama-2-7b"), WeightInit.lecun(1), CPU);
        Session session = model.session();
        model.close();
        state("model 'tiny-llama-2-7b' was closed; create a new one", () -> session.feed(1));
    }

    @Test
    void aWeightTensorOfAClosedModel() {
        Model model = Model.random(Presets.byName("tiny-llama-2-7b"), WeightInit.lecun(1), CPU);
        Tensor norm = model.weightTensor("output_norm.weight");
        assertEquals(32, norm.toFloats().length);
        model.close();
        String freed = "tensor 'output_norm.weight' was freed with its ggml context, which was closed (a model's "
                + "weights go when the model is closed); read its values before closing";
        state(freed, norm::toFloats);
        state(freed, norm::shape);
        state(freed, norm::type);
    }

    @Test
    void anUnnamedTensorOfAClosedContext() {
        Context ctx = Context.create(1);
        Tensor t = ctx.newTensor(GgmlType.F32, 4);
        ctx.close();
        state("tensor (unnamed) was freed with its ggml context, which was closed (a model's weights go when the model "
                + "is closed); read its values before closing", t::shape);
    }

    @Test
    void backend() {
        Backend cpu = Backend.cpu(1);
        String name = cpu.name();
        cpu.close();
        Context ctx = Context.create(1);
        try {
            ctx.newTensor(GgmlType.F32, 4);
            state("backend " + name + " was closed", () -> ctx.allocate(cpu));
        } finally {
            ctx.close();
        }
    }
}
