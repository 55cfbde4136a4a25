package dev.llmgraph.dist;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * GPU time is short and rare, so what a GPU server runs is decided here, on any machine: every test class with
 * CUDA cases carries the tag {@code gpu} (what {@code bin/llmgraph check} selects), and every class so tagged is
 * selected by a group of {@code bin/gpu-check.sh}'s check step (one JVM per group). A test left out of either
 * would skip quietly in every CI run and never run on the GPU it was written for.
 */
class GpuCheckCoverageTest {
    private static final Path REPO = Path.of(System.getProperty("basedir", "")).toAbsolutePath().getParent();
    private static final List<String> MODULES = List.of("ffi-bindings", "dsl", "kernel");
    /** Calls by which a test opens a CUDA backend or a model on the GPU (ffi's op tests, the dsl's model tests). */
    private static final List<String> CUDA_CASES = List.of("Backends.open(", "Gpu.assumeCuda(", "Gpu.exact(",
            "ModelOptions.cuda(");
    private static final Pattern GPU_TAG = Pattern.compile("@Tag\\((\"gpu\"|Gpu\\.TAG)\\)");
    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
    private static final Pattern GROUP = Pattern.compile("^\\s*\"(\\S+) --select-(class|package) (\\S+)\"$");

    private record TestSource(String className, String text) {
        String packageName() {
            return className.substring(0, className.lastIndexOf('.'));
        }

        boolean taggedGpu() {
            return GPU_TAG.matcher(text).find();
        }
    }

    /** One group of the check step: its name and what it selects (a class, or a package and those below it). */
    private record Group(String name, boolean isClass, String selection) {
        boolean selects(TestSource test) {
            return isClass ? test.className().equals(selection)
                    : test.packageName().equals(selection) || test.packageName().startsWith(selection + ".");
        }
    }

    private static List<TestSource> tests;

    @BeforeAll
    static void readTestSources() throws IOException {
        tests = MODULES.stream().map(m -> REPO.resolve(m).resolve("src/test/java"))
                .flatMap(GpuCheckCoverageTest::javaFiles)
                .filter(f -> f.getFileName().toString().endsWith("Test.java"))
                .map(GpuCheckCoverageTest::read)
                .filter(t -> !t.className().equals(GpuCheckCoverageTest.class.getName()))   // names the calls itself
                .toList();
        assertFalse(tests.isEmpty(), "no test sources under " + REPO);
    }

    @Test
    void everyTestWithCudaCasesIsTaggedGpu() {
        List<String> untagged = tests.stream()
                .filter(t -> CUDA_CASES.stream().anyMatch(t.text()::contains) && !t.taggedGpu())
                .map(TestSource::className).sorted().toList();
        assertEquals(List.of(), untagged, "these tests have CUDA cases but no @Tag(\"gpu\"), so bin/llmgraph check "
                + "never runs them on a GPU server");
    }

    @Test
    void everyTestTaggedGpuIsInAGroupOfTheCheckStep() throws IOException {
        List<Group> groups = checkGroups();
        List<String> unknown = groups.stream().filter(g -> g.isClass()
                        && tests.stream().noneMatch(t -> t.className().equals(g.selection())))
                .map(g -> g.name() + ": " + g.selection()).toList();
        assertEquals(List.of(), unknown, "bin/gpu-check.sh's check groups select classes that no test source "
                + "declares");
        List<String> left = tests.stream()
                .filter(t -> t.taggedGpu() && groups.stream().noneMatch(g -> g.selects(t)))
                .map(TestSource::className).sorted().toList();
        assertEquals(List.of(), left, "these tests are tagged gpu but no group of bin/gpu-check.sh's check step "
                + "selects them; add them to its check_groups");
    }

    /** The entries of {@code check_groups=( ... )} in bin/gpu-check.sh. */
    private static List<Group> checkGroups() throws IOException {
        String script = Files.readString(REPO.resolve("bin/gpu-check.sh"));
        int start = script.indexOf("check_groups=(\n");
        int end = script.indexOf("\n)\n", start);
        assertFalse(start < 0 || end < 0,
                "bin/gpu-check.sh no longer declares check_groups=( ... ) on lines of their own");
        List<String> lines = script.substring(start, end).lines().skip(1).toList();
        return lines.stream().map(line -> {
            Matcher m = GROUP.matcher(line);
            if (!m.matches()) {
                throw new AssertionError("a check group of bin/gpu-check.sh that this test cannot read (expected "
                        + "\"NAME --select-class|--select-package NAME\"): " + line);
            }
            return new Group(m.group(1), m.group(2).equals("class"), m.group(3));
        }).toList();
    }

    private static Stream<Path> javaFiles(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(f -> f.toString().endsWith(".java")).toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static TestSource read(Path file) {
        try {
            String text = Files.readString(file);
            Matcher m = PACKAGE.matcher(text);
            String pkg = m.find() ? m.group(1) + "." : "";
            String simpleName = file.getFileName().toString().replaceFirst("\\.java$", "");
            return new TestSource(pkg + simpleName, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
