package dev.llmgraph.model;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The thread model of a {@link Model}: a model and its sessions are used from one thread at a time (they
 * share one ggml scheduler and its compute memory, and a session's KV cache is written in place). A call
 * that starts while another thread is inside one is refused with an {@link IllegalStateException} naming
 * both, instead of two computations overwriting each other's memory. Calls on one thread nest (a forward
 * pass runs a session); using the model from different threads one after the other is fine.
 */
final class ConcurrentUseGuard {
    /** The end of a use; closing it lets other threads in once the outermost use on this thread ends. */
    interface Use extends AutoCloseable {
        @Override
        void close();
    }

    private final String owner;
    private final AtomicReference<Thread> holder = new AtomicReference<>();
    private volatile String holderCall;
    private int depth; // read and written only by the holding thread

    /** @param owner the guarded object, as messages name it: "model 'llama'" */
    ConcurrentUseGuard(String owner) {
        this.owner = owner;
    }

    /** Enters {@code call} (words for the message of a thread that is refused meanwhile: "forward"). */
    Use enter(String call) {
        Thread me = Thread.currentThread();
        if (holder.get() != me) {
            if (!holder.compareAndSet(null, me)) {
                Thread other = holder.get();
                throw new IllegalStateException(call + " on thread '" + me.getName() + "': " + owner + " is in use by "
                        + (other == null ? "another thread" : "thread '" + other.getName() + "'") + " ("
                        + holderCall + "); a model and its sessions are used from one thread at a time: wait for that "
                        + "call to return, or give each thread its own model");
            }
            holderCall = call;
        }
        depth++;
        return this::exit;
    }

    private void exit() {
        if (--depth == 0) {
            holder.set(null);
        }
    }
}
