package dev.llmgraph.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A notebook as a learner shares it: exported by the real {@code jupyter nbconvert --to html}, opened in headless
 * Chromium, every figure photographed. A figure counts as shown when it has a size on the page and at least
 * {@link #MIN_INK} of its pixels differ from its background: an SVG whose elements a sanitiser stripped keeps its
 * size but is blank. The photographs stay in {@code target/html-export/NAME/} for a person to look at.
 */
final class HtmlExport {
    /** The smallest share of a figure's pixels that must differ from its background colour. */
    static final double MIN_INK = 0.005;

    /** A figure as Chromium rendered it: the MIME type nbconvert chose, its element, its size and its photograph. */
    record ShownFigure(String mime, String element, double width, double height, boolean loaded, Path photo) {
        @Override
        public String toString() {
            return element + " (" + mime + ", " + width + " x " + height + " px, " + photo.getFileName() + ")";
        }
    }

    private HtmlExport() {}

    /** Exports {@code notebook} and checks that Chromium shows {@code expected} figures, each of them visibly. */
    static List<ShownFigure> assertFiguresShown(NotebookHarness.ExecutedNotebook notebook, Path work, int expected)
            throws IOException, InterruptedException {
        return assertFiguresShown(notebook, work, expected, null, null);
    }

    /** The same, and a photograph of the outputs of the cell whose source contains {@code cellText}. */
    static List<ShownFigure> assertFiguresShown(NotebookHarness.ExecutedNotebook notebook, Path work, int expected,
            String cellText, Path cellPhoto) throws IOException, InterruptedException {
        Chromium.assume();
        Path html = export(notebook.file(), work);
        String name = notebook.file().getFileName().toString().replaceFirst("\\.ipynb$", "");
        Path photos = Files.createDirectories(TestJvm.moduleDir().resolve("target/html-export").resolve(name));
        List<String> args = new ArrayList<>(List.of(html.toString(), photos.toString()));
        if (cellText != null) {
            Files.createDirectories(cellPhoto.getParent());
            args.addAll(List.of(cellText, cellPhoto.toString()));
        }
        JsonNode shown = new ObjectMapper().readTree(Chromium.runScript("html_figures.cjs", work, args));
        List<ShownFigure> figures = new ArrayList<>();
        for (JsonNode f : shown) {
            String photo = f.path("file").asText();
            figures.add(new ShownFigure(f.path("mime").asText(), f.path("element").asText(), f.path("width").asDouble(),
                    f.path("height").asDouble(), f.path("loaded").asBoolean(), photo.isEmpty() ? null : Path.of(photo)));
        }
        assertEquals(expected, figures.size(), name + ": figures on the exported page: " + figures);
        for (ShownFigure figure : figures) {
            assertTrue(figure.loaded() && figure.width() > 0 && figure.height() > 0 && figure.photo() != null,
                    name + ": a figure without a rendered size: " + figure);
            double ink = ink(figure.photo());
            assertTrue(ink >= MIN_INK, String.format("%s: a blank figure (%.2f%% of its pixels differ from the "
                    + "background): %s", name, 100 * ink, figure));
        }
        return figures;
    }

    /** {@code jupyter nbconvert --to html}, as a learner who shares a notebook runs it; returns the page. */
    static Path export(Path notebook, Path work) throws IOException, InterruptedException {
        Path out = Files.createDirectories(work.resolve("html"));
        ProcessBuilder builder = new ProcessBuilder(JupyterTools.JUPYTER.toString(), "nbconvert", "--to", "html",
                "--output-dir", out.toString(), notebook.toString()).redirectErrorStream(true);
        builder.environment().putAll(JupyterTools.privateHome(work.resolve("jupyter-home-html")));
        Process process = builder.start();
        String log = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Path html = out.resolve(notebook.getFileName().toString().replaceFirst("\\.ipynb$", ".html"));
        if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0 || !Files.isRegularFile(html)) {
            process.destroyForcibly();
            fail("nbconvert --to html failed on " + notebook.getFileName() + ":\n" + log);
        }
        return html;
    }

    /** The share of the image's pixels whose colour differs clearly from the most common one (the background). */
    static double ink(Path photo) throws IOException {
        BufferedImage image = ImageIO.read(photo.toFile());
        int[] pixels = image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
        Map<Integer, Integer> counts = new HashMap<>();
        for (int p : pixels) {
            counts.merge(p & 0xffffff, 1, Integer::sum);
        }
        int background = counts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        long differing = 0;
        for (int p : pixels) {
            if (distance(p, background) > 24) {
                differing++;
            }
        }
        return (double) differing / pixels.length;
    }

    private static int distance(int a, int b) {
        int red = Math.abs(((a >> 16) & 0xff) - ((b >> 16) & 0xff));
        int green = Math.abs(((a >> 8) & 0xff) - ((b >> 8) & 0xff));
        int blue = Math.abs((a & 0xff) - (b & 0xff));
        return Math.max(red, Math.max(green, blue));
    }
}
