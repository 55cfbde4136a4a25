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
    void aWaitEndsWithWhatTheCellWroteAndNeverWithTheWakeUp() {
        output.cellStarted();
        output.stdout().print("done");
        output.cellEnded();
        output.wakeRelay();

        // The text ends the wait; the wake-up queued after it must not come out with it.
        List<CellOutput.Event> events = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> output.take(Long.MAX_VALUE));

        assertEquals(1, events.size(), events::toString);
        CellOutput.Event.Text text = assertInstanceOf(CellOutput.Event.Text.class, events.getFirst());
        assertEquals("done", new String(text.bytes(), StandardCharsets.UTF_8));
    }

    @Test
    void aCellThatWroteNothingEndsAWaitWithNothing() {
        output.wakeRelay();

        List<CellOutput.Event> events = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> output.take(Long.MAX_VALUE));

        assertEquals(List.of(), events);
    }
}
