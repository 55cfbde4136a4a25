package dev.llmgraph.model;

import dev.llmgraph.ggml.Graph;
import dev.llmgraph.ggml.Scheduler;

/**
 * A model's compute memory: the scheduler that computes its graphs, and which graph holds that memory now.
 * The scheduler serves one graph at a time, and a graph can be allocated only once: its intermediate tensors
 * keep the addresses they got, which another graph's allocation may since have reused, or freed when it grew
 * the buffer. So a graph that lost the memory to another one is not allocated again but rebuilt
 * ({@link #holds}).
 */
final class ComputeMemory {
    private final Scheduler scheduler;
    private volatile StepGraph holder; // volatile: a session closed on another thread releases it

    ComputeMemory(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    Scheduler scheduler() {
        return scheduler;
    }

    /** Gives {@code owner}'s graph the compute memory. */
    void allocate(Graph graph, StepGraph owner) {
        scheduler.allocate(graph);
        holder = owner;
    }

    /** Whether {@code owner} still holds the compute memory it was allocated. */
    boolean holds(StepGraph owner) {
        return holder == owner;
    }

    /** Forgets that {@code owner} holds the compute memory (its graph is being freed). */
    void release(StepGraph owner) {
        if (holder == owner) {
            holder = null;
        }
    }
}
