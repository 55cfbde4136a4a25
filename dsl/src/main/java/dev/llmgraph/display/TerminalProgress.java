package dev.llmgraph.display;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress in JShell or a script: me.tongfei:progressbar redraws one line on standard error (rate, elapsed
 * time, ETA). ASCII style, because not every terminal a learner uses draws Unicode block characters.
 */
final class TerminalProgress implements Progress.View {
    private ProgressBar bar;

    @Override
    public void started(Progress p) {
        ProgressBarBuilder builder = new ProgressBarBuilder()
                .setTaskName(p.task())
                .setInitialMax(p.knownTotal() ? p.total() : -1)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(200)
                .showSpeed();
        if (!p.unit().isEmpty()) {
            builder.setUnit(" " + p.unit(), 1);
        }
        bar = builder.build();
    }

    @Override
    public void advanced(Progress p) {
        bar.stepTo(p.done());
        bar.setExtraMessage(p.message());
    }

    @Override
    public void finished(Progress p) {
        bar.stepTo(p.done());
        bar.close();
    }
}
