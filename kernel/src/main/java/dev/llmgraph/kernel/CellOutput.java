package dev.llmgraph.kernel;

import dev.llmgraph.display.DisplaySink;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * What cells write and show, queued in order until the kernel's shell thread sends it to Jupyter.
 *
 * <p>Why a queue: cell code runs on a thread that an interrupt may hit at any moment, and ZeroMQ's
 * sockets (jeromq signals over NIO pipes) close for good when a thread writes to them with its interrupt
 * flag set. So cell threads only append here, and the one thread that owns the sockets, which is never
 * interrupted, does the sending.
 */
final class CellOutput {
    /** Something a cell produced. */
    sealed interface Event {
        record Text(boolean stderr, byte[] bytes) implements Event {}

        record Show(Map<String, String> bundle, String displayId, boolean update) implements Event {}

        /** A cell ended: ends a wait in {@link #take} at once; never taken itself. */
        record Wake() implements Event {}
    }

    private final LinkedBlockingQueue<Event> queue = new LinkedBlockingQueue<>();
    private final PrintStream kernelOut;
    private final PrintStream kernelErr;
    private final PrintStream stdout;
    private final PrintStream stderr;
    private volatile boolean cellRunning;

    /** {@code kernelOut} and {@code kernelErr} receive what is written while no cell runs (the kernel log). */
    CellOutput(PrintStream kernelOut, PrintStream kernelErr) {
        this.kernelOut = kernelOut;
        this.kernelErr = kernelErr;
        this.stdout = new PrintStream(new Capture(false), true, StandardCharsets.UTF_8);
        this.stderr = new PrintStream(new Capture(true), true, StandardCharsets.UTF_8);
    }

    /** The stream to install as {@code System.out}. */
    PrintStream stdout() {
        return stdout;
    }

    /** The stream to install as {@code System.err}. */
    PrintStream stderr() {
        return stderr;
    }

    void cellStarted() {
        cellRunning = true;
    }

    void cellEnded() {
        cellRunning = false;
    }

    /** Adds text to the cell's standard error (kernel messages such as "still running"). */
    void note(String text) {
        queue.add(new Event.Text(true, text.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Ends a {@link #take} that waits, so that the shell thread sends a finished cell's reply without waiting out
     * its poll (up to 50 ms of every cell's latency otherwise).
     */
    void wakeRelay() {
        queue.add(new Event.Wake());
    }

    /** Waits up to {@code millis} for something to arrive (or the cell to end), then takes everything queued. */
    List<Event> take(long millis) throws InterruptedException {
        List<Event> events = new ArrayList<>();
        Event first = queue.poll(millis, TimeUnit.MILLISECONDS);
        if (first != null) {
            events.add(first);
            queue.drainTo(events);
            events.removeIf(e -> e instanceof Event.Wake);
        }
        return events;
    }

    /** The sink that {@code Display.show} uses inside the kernel. */
    DisplaySink displaySink() {
        return new DisplaySink() {
            @Override
            public void display(Map<String, String> bundle, String displayId) {
                offer(new Event.Show(Map.copyOf(bundle), displayId, false));
            }

            @Override
            public void update(Map<String, String> bundle, String displayId) {
                if (displayId == null) {
                    throw new IllegalArgumentException("update needs the displayId that display was given");
                }
                offer(new Event.Show(Map.copyOf(bundle), displayId, true));
            }

            @Override
            public boolean supportsUpdates() {
                return true;
            }
        };
    }

    private void offer(Event.Show show) {
        if (cellRunning) {
            queue.add(show);
        } else {
            kernelOut.println(show.bundle().getOrDefault("text/plain", ""));
        }
    }

    /** Receives the bytes of System.out or System.err. */
    private final class Capture extends OutputStream {
        private final boolean isStderr;

        Capture(boolean isStderr) {
            this.isStderr = isStderr;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            if (length == 0) {
                return;
            }
            if (cellRunning) {
                queue.add(new Event.Text(isStderr, Arrays.copyOfRange(bytes, offset, offset + length)));
            } else {
                (isStderr ? kernelErr : kernelOut).write(bytes, offset, length);
            }
        }

        @Override
        public void flush() {
            if (!cellRunning) {
                (isStderr ? kernelErr : kernelOut).flush();
            }
        }
    }
}
