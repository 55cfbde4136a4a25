package dev.llmgraph.display;

import dev.llmgraph.train.TrainingStep;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The live training display: one notebook display updated in place, with the status line and the loss chart. */
class TrainingMonitorTest {
    @AfterEach
    void resetSink() {
        Display.reset();
    }

    @Test
    void aNotebookSeesOneDisplayUpdatedInPlaceEndingWithTheFinalStatus() {
        List<String> events = new ArrayList<>();
        List<Map<String, String>> bundles = new ArrayList<>();
        Display.install(new DisplaySink() {
            @Override
            public void display(Map<String, String> bundle, String displayId) {
                events.add("display " + displayId);
                bundles.add(bundle);
            }

            @Override
            public void update(Map<String, String> bundle, String displayId) {
                events.add("update " + displayId);
                bundles.add(bundle);
            }

            @Override
            public boolean supportsUpdates() {
                return true;
            }
        });
        TrainingMonitor monitor = TrainingMonitor.live();
        monitor.started(1, 3);
        for (int s = 1; s <= 3; s++) {
            monitor.stepped(new TrainingStep(s, 4.0 - s, 1e-3, 0.5, 64, 1_000_000));
        }
        monitor.evaluated(3, 1.25);
        monitor.finished(3, true);
        String id = events.getFirst().substring("display ".length());
        assertTrue(events.stream().skip(1).allMatch(e -> e.equals("update " + id)), events.toString());
        Map<String, String> last = bundles.getLast();
        assertTrue(last.get("text/plain").startsWith("step 3/3 · loss 1.0000 · lr 1.00e-03 · grad norm 0.500 · "
                + "64,000 tokens/s · "), last.get("text/plain"));
        assertTrue(last.get("text/plain").endsWith(" · stopped after a whole step"), last.get("text/plain"));
        assertTrue(last.get("text/html").contains("<img class=\"llmgraph-figure\" src=\"data:image/svg+xml;base64,"));
        String svg = monitor.chart().svg();
        assertTrue(svg.contains("training") && svg.contains("held-out"), "both series are in the legend");
        assertEquals(1, events.stream().filter(e -> e.startsWith("display")).count());
    }
}
