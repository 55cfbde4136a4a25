package dev.llmgraph.kernel;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;

class Utf8TextTest {
    @Test
    void textCutAtEveryByteComesOutWhole() {
        String text = "a é € 😀 z"; // 1-, 2-, 3- and 4-byte characters
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        for (int cut = 0; cut <= bytes.length; cut++) {
            Utf8Text decoder = new Utf8Text();
            String joined = decoder.append(Arrays.copyOfRange(bytes, 0, cut))
                    + decoder.append(Arrays.copyOfRange(bytes, cut, bytes.length));
            assertEquals(text, joined, "cut after byte " + cut);
        }
    }
}
