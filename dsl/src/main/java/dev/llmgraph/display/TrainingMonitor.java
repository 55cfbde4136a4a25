package dev.llmgraph.display;

import dev.llmgraph.train.TrainingListener;
import dev.llmgraph.train.TrainingStep;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * A training run shown as it goes. In a notebook: one display, updated in place at most four times a second
 * (and at every evaluation and at the end), holding a status line (step, loss, learning rate, gradient
 * norm, tokens/s, elapsed) above a chart of the training and held-out loss. In a terminal: a status line
 * every {@code every} steps and at each evaluation. Pass it to {@code Trainer.train}.
 */
public final class TrainingMonitor implements TrainingListener {
    private static final long MIN_INTERVAL_NANOS = 250_000_000L;

    private final DisplaySink sink = Display.sink();
    private final String displayId = "llmgraph-training-" + UUID.randomUUID();
    private final int every;
    private final List<double[]> train = new ArrayList<>();
    private final List<double[]> heldOut = new ArrayList<>();
    private long startNanos, lastNanos;
    private int lastStep;
    private TrainingStep latest;

    private TrainingMonitor(int every) {
        this.every = every;
    }

    /** Live in a notebook; in a terminal, a line every 10 steps. */
    public static TrainingMonitor live() {
        return every(10);
    }

    /** Live in a notebook; in a terminal, a line every {@code steps} steps. */
    public static TrainingMonitor every(int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("steps = " + steps + ": print at least every step (1)");
        }
        return new TrainingMonitor(steps);
    }

    @Override
    public void started(int firstStep, int lastStep) {
        this.lastStep = lastStep;
        startNanos = System.nanoTime();
        if (sink.supportsUpdates()) {
            sink.display(bundle(false, false), displayId);
        } else {
            System.out.printf(Locale.ROOT, "training steps %d to %d%n", firstStep, lastStep);
        }
    }

    @Override
    public void stepped(TrainingStep step) {
        latest = step;
        train.add(new double[] {step.step(), step.loss()});
        long now = System.nanoTime();
        if (sink.supportsUpdates()) {
            if (now - lastNanos >= MIN_INTERVAL_NANOS) {
                sink.update(bundle(false, false), displayId);
                lastNanos = now;
            }
        } else if (step.step() % every == 0) {
            System.out.println(status(false, false));
        }
    }

    @Override
    public void evaluated(int step, double loss) {
        heldOut.add(new double[] {step, loss});
        if (sink.supportsUpdates()) {
            sink.update(bundle(false, false), displayId);
        } else {
            System.out.printf(Locale.ROOT, "step %d: held-out loss %.4f%n", step, loss);
        }
    }

    @Override
    public void finished(int step, boolean stopped) {
        if (sink.supportsUpdates()) {
            sink.update(bundle(true, stopped), displayId);
        } else {
            System.out.println(status(true, stopped));
        }
    }

    /** The status line: where the run is and how fast it goes. */
    String status(boolean finished, boolean stopped) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        if (latest == null) {
            return String.format(Locale.ROOT, "step 0/%d · %.1f s", lastStep, seconds);
        }
        String end = stopped ? " · stopped after a whole step" : finished ? " · done" : "";
        return String.format(Locale.ROOT, "step %d/%d · loss %.4f · lr %.2e · grad norm %.3f · %,.0f tokens/s · %.1f s%s",
                latest.step(), lastStep, latest.loss(), latest.learningRate(), latest.gradientNorm(),
                latest.tokensPerSecond(), seconds, end);
    }

    /** The loss chart so far: training loss per step and held-out loss per evaluation. */
    public Figure chart() {
        LineChart chart = Charts.line("loss").xLabel("step").yLabel("cross-entropy (nats per token)");
        if (!train.isEmpty()) {
            chart.series("training", column(train, 0), column(train, 1));
        }
        if (!heldOut.isEmpty()) {
            chart.series("held-out", column(heldOut, 0), column(heldOut, 1));
        }
        return chart.size(640, 320).render();
    }

    private Map<String, String> bundle(boolean finished, boolean stopped) {
        String status = status(finished, stopped);
        Map<String, String> bundle = new LinkedHashMap<>();
        bundle.put("text/plain", status);
        String image = train.isEmpty() ? "" : SvgBundle.img(chart().svg(), "loss per step");
        bundle.put("text/html", "<div><code>" + Html.escape(status) + "</code></div>" + image);
        return bundle;
    }

    private static double[] column(List<double[]> rows, int i) {
        return rows.stream().mapToDouble(r -> r[i]).toArray();
    }
}
