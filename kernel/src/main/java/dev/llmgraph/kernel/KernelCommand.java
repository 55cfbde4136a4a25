package dev.llmgraph.kernel;

import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code bin/llmgraph kernel install} and the kernelspec step of {@code bin/llmgraph notebook}: installs
 * or refreshes the Jupyter kernelspec in the user's Jupyter data folder. (Starting Jupyter is the
 * launcher's part: it replaces itself with Jupyter, so that Ctrl-C reaches Jupyter alone.)
 */
public final class KernelCommand {
    /** Debian's packages for the notebook; named in every message about a missing Jupyter. */
    public static final String JUPYTER_PACKAGES = "jupyter-notebook";

    private KernelCommand() {}

    public static void main(String[] args) throws IOException {
        String command = args.length > 0 ? args[0] : "";
        String sub = args.length > 1 ? args[1] : "";
        if (command.equals("kernel") && sub.equals("install")) {
            report(install(), true);
        } else if (command.equals("notebook")) {
            report(install(), false); // the launcher starts Jupyter next
        } else {
            System.err.println("usage: bin/llmgraph kernel install | bin/llmgraph notebook [jupyter options]");
            System.exit(2);
        }
    }

    private static Install install() throws IOException {
        Path dataDir = KernelSpec.userDataDir();
        return new Install(dataDir, KernelSpec.install(dataDir, KernelSpec.argvOfThisJvm()));
    }

    private record Install(Path dataDir, KernelSpec.Change change) {}

    private static void report(Install install, boolean sayUnchanged) {
        Path where = KernelSpec.file(install.dataDir()).getParent();
        switch (install.change()) {
            case INSTALLED -> System.err.println("llmgraph: installed the Jupyter kernel '" + KernelSpec.DISPLAY_NAME
                    + "' in " + where);
            case UPDATED -> System.err.println("llmgraph: updated the Jupyter kernel '" + KernelSpec.DISPLAY_NAME
                    + "' in " + where + " (class path or JVM flags changed)");
            case UNCHANGED -> {
                if (sayUnchanged) {
                    System.err.println("llmgraph: the Jupyter kernel '" + KernelSpec.DISPLAY_NAME + "' in " + where
                            + " is up to date");
                }
            }
        }
        if (KernelSpec.jupyterExecutable() == null) {
            System.err.println("llmgraph: Jupyter itself is not installed; install the Debian packages "
                    + JUPYTER_PACKAGES + " (apt-get install " + JUPYTER_PACKAGES + ")");
        }
    }
}
