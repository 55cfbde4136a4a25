package dev.llmgraph.kernel;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class CellOutputTest {
    private final CellOutput output = new CellOutput(new PrintStream(new ByteArrayOutputStream()),
            new PrintStream(new ByteArrayOutputStream()));

    @Test
    void aFinishedCellEndsAWaitWithWhatItWroteAndTheMarkIsNeverTaken() {
        output.cellStarted();
        output.stdout().print("done");
        output.cellEnded();
        output.cellFinished();

        // Without the mark a wait this long would only end with the text; with it, nothing waits at all.
        List<CellOutput.Event> events = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> output.take(Long.MAX_VALUE));

        assertEquals(1, events.size(), events::toString);
        CellOutput.Event.Text text = assertInstanceOf(CellOutput.Event.Text.class, events.getFirst());
        assertEquals("done", new String(text.bytes(), StandardCharsets.UTF_8));
    }

    @Test
    void aFinishedCellWithNoOutputEndsAWaitWithNothing() {
        output.cellFinished();

        List<CellOutput.Event> events = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> output.take(Long.MAX_VALUE));

        assertEquals(List.of(), events);
    }
}
