package dev.llmgraph.ggml;

/**
 * Run in a child JVM by {@link NativeLoadingTest}: opens a CPU backend twice (a notebook user tries again)
 * and prints what happened each time.
 */
public final class NativeLoadingProbe {
    private NativeLoadingProbe() {}

    public static void main(String[] args) {
        for (int attempt = 0; attempt < 2; attempt++) {
            try (Backend cpu = Backend.cpu(1)) {
                System.out.println("opened " + cpu.name());
            } catch (RuntimeException | Error e) {
                System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
    }
}
