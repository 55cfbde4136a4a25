package dev.llmgraph.display;

import dev.llmgraph.model.ProgressListener;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** Lowering finds the display's progress without importing it. */
class ProgressDisplayTest {
    @Test
    void loweringHearsThroughTheDisplay() {
        assertInstanceOf(ProgressDisplay.class, ProgressListener.installed());
    }
}
