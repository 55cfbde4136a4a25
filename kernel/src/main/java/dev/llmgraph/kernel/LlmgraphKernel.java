package dev.llmgraph.kernel;

import dev.llmgraph.display.Display;
import dev.llmgraph.shell.SourceSnippet;
import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.channels.ShellReplyEnvironment;
import io.github.spencerpark.jupyter.kernel.BaseKernel;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import io.github.spencerpark.jupyter.kernel.LanguageInfo;
import io.github.spencerpark.jupyter.kernel.ReplacementOptions;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.messages.Message;
import io.github.spencerpark.jupyter.messages.MessageType;
import io.github.spencerpark.jupyter.messages.publish.PublishDisplayData;
import io.github.spencerpark.jupyter.messages.publish.PublishError;
import io.github.spencerpark.jupyter.messages.publish.PublishExecuteInput;
import io.github.spencerpark.jupyter.messages.publish.PublishExecuteResult;
import io.github.spencerpark.jupyter.messages.publish.PublishUpdateDisplayData;
import io.github.spencerpark.jupyter.messages.reply.ErrorReply;
import io.github.spencerpark.jupyter.messages.reply.ExecuteReply;
import io.github.spencerpark.jupyter.messages.request.ExecuteRequest;
import jdk.jshell.SourceCodeAnalysis;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * The Jupyter kernel: Java cells evaluated by JShell in this JVM (so llmgraph's native libraries and
 * {@code --enable-native-access} apply), with rich display, completion, inspection, interrupt and a
 * cell timeout. Built on jupyter-jvm-basekernel, IJava's base library, which speaks the wire protocol.
 *
 * <p>Threads: Jupyter's shell thread receives requests and is the only one that sends cell output (see
 * {@link CellOutput} for why); cells run on {@link CellRunner}'s cell thread; interrupt requests arrive
 * on the control thread ({@code interrupt_mode: message}, as a JVM would die of the SIGINT that the
 * other mode sends).
 */
public final class LlmgraphKernel extends BaseKernel {
    private static final long OUTPUT_POLL_MILLIS = 50;

    private final CellOutput output;
    private final CellRunner cells;
    private final LanguageInfo languageInfo = new LanguageInfo.Builder("java")
            .version(Runtime.version().toString())
            .mimetype("text/x-java-source")
            .fileExtension(".jsh")
            .pygments("java")
            .codemirror("text/x-java")
            .build();

    LlmgraphKernel(CellOutput output, CellRunner cells) {
        this.output = output;
        this.cells = cells;
        setShouldReplaceStdStreams(false); // System.out stays the CellOutput stream for good
    }

    public static void main(String[] args) throws Exception {
        StartupTimes.mark("main");
        if (args.length != 1) {
            System.err.println("usage: java ... " + LlmgraphKernel.class.getName() + " CONNECTION_FILE.json");
            System.exit(2);
        }
        serve(Files.readString(Path.of(args[0])));
        System.exit(0); // threads that cells started must not keep a shut-down kernel alive
    }

    /**
     * Serves the connection that {@code connectionJson} (a Jupyter connection file's text) describes until a
     * shutdown request closes it. Meanwhile System.out and System.err are the cells' (sent to the front end),
     * and the kernel's own messages go to the streams they were before.
     */
    static void serve(String connectionJson) throws Exception {
        PrintStream kernelOut = System.out;
        PrintStream kernelErr = System.err;
        CellOutput output = new CellOutput(kernelOut, kernelErr);
        System.setOut(output.stdout());
        System.setErr(output.stderr());
        try {
            // JShell is the longest step before a first cell can run: CellRunner starts it before anything else,
            // and the connection is set up beside it (bench/NOTES.md: the first cell's result ~0.1 s sooner on 2
            // cores).
            CellRunner cells = new CellRunner(output);
            quietLogging(kernelErr);
            Kernel.applyEnvironment(kernelErr);
            Display.install(output.displaySink());
            LlmgraphKernel kernel = new LlmgraphKernel(output, cells);
            JupyterConnection jupyter = new JupyterConnection(KernelConnectionProperties.parse(connectionJson));
            kernel.becomeHandlerForConnection(jupyter);
            jupyter.connect();
            StartupTimes.mark("connected");
            jupyter.waitUntilClose();
            kernel.cells.close();
        } finally {
            Display.reset();
            System.setOut(kernelOut);
            System.setErr(kernelErr);
        }
    }

    /** The wire library logs every message at INFO; only warnings belong in the notebook server's log. */
    private static void quietLogging(PrintStream kernelErr) {
        Logger root = Logger.getLogger("");
        for (var handler : root.getHandlers()) {
            root.removeHandler(handler);
        }
        StreamHandler handler = new StreamHandler(kernelErr, new java.util.logging.SimpleFormatter()) {
            @Override
            public synchronized void publish(java.util.logging.LogRecord record) {
                super.publish(record);
                flush();
            }
        };
        handler.setLevel(Level.WARNING);
        root.addHandler(handler);
        root.setLevel(Level.WARNING);
    }

    @Override
    public void becomeHandlerForConnection(JupyterConnection connection) {
        super.becomeHandlerForConnection(connection);
        connection.setHandler(MessageType.EXECUTE_REQUEST, this::execute);
    }

    @Override
    public LanguageInfo getLanguageInfo() {
        return languageInfo;
    }

    @Override
    public String getBanner() {
        return "Java " + Runtime.version() + " with llmgraph (JShell, executing in the kernel's JVM)";
    }

    @Override
    public DisplayData eval(String code) {
        throw new UnsupportedOperationException("execute requests are handled by execute()");
    }

    /** An execute_request: run the cell, send its output while it runs, then its value or error. */
    private void execute(ShellReplyEnvironment env, Message<ExecuteRequest> message) {
        ExecuteRequest request = message.getContent();
        // Silent requests (a front end's own housekeeping) neither count nor echo their code.
        int count = request.isSilent() ? executionCount.get() : executionCount.getAndIncrement();
        StartupTimes.mark("request-" + count);
        env.setBusyDeferIdle();
        if (!request.isSilent()) {
            env.publish(new PublishExecuteInput(request.getCode(), count));
        }
        CellResult result;
        output.cellStarted();
        try {
            result = runAndRelayOutput(env, request.getCode(), count);
        } finally {
            output.cellEnded();
        }
        relay(env, drainQuietly());
        switch (result) {
            case CellResult.Ok ok -> {
                if (ok.value() != null && !request.isSilent()) {
                    env.publish(new PublishExecuteResult(count, displayData(ok.value(), null)));
                }
                env.defer().reply(new ExecuteReply(count, Collections.emptyMap()));
            }
            case CellResult.Failed failed -> {
                env.publish(new PublishError(failed.name(), failed.message(), failed.traceback()));
                ErrorReply error = new ErrorReply(failed.name(), failed.message(), failed.traceback());
                error.setExecutionCount(count);
                env.defer().replyError(ExecuteReply.MESSAGE_TYPE.error(), error);
            }
        }
        StartupTimes.mark("result-" + count);
    }

    private CellResult runAndRelayOutput(ShellReplyEnvironment env, String code, int count) {
        Future<CellResult> cell = cells.submit(code, count);
        try {
            while (!cell.isDone()) {
                relay(env, output.take(OUTPUT_POLL_MILLIS));
            }
            return cell.get();
        } catch (ExecutionException e) {
            return CellResult.internalError(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CellResult.internalError(e);
        }
    }

    private List<CellOutput.Event> drainQuietly() {
        try {
            return output.take(0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    private final Utf8Text stdoutText = new Utf8Text();
    private final Utf8Text stderrText = new Utf8Text();

    /** Sends events in order, joining neighbouring pieces of the same stream into one message. */
    private void relay(ShellReplyEnvironment env, List<CellOutput.Event> events) {
        StringBuilder text = new StringBuilder();
        Boolean textIsStderr = null;
        for (CellOutput.Event event : events) {
            if (event instanceof CellOutput.Event.Text piece) {
                if (textIsStderr != null && textIsStderr != piece.stderr()) {
                    sendText(env, textIsStderr, text);
                }
                textIsStderr = piece.stderr();
                text.append((piece.stderr() ? stderrText : stdoutText).append(piece.bytes()));
            } else if (event instanceof CellOutput.Event.Show show) {
                if (textIsStderr != null) {
                    sendText(env, textIsStderr, text);
                    textIsStderr = null;
                }
                DisplayData data = displayData(show.bundle(), show.displayId());
                if (show.update()) {
                    env.publish(new PublishUpdateDisplayData(data));
                } else {
                    env.publish(new PublishDisplayData(data));
                }
            }
        }
        if (textIsStderr != null) {
            sendText(env, textIsStderr, text);
        }
    }

    private static void sendText(ShellReplyEnvironment env, boolean stderr, StringBuilder text) {
        if (!text.isEmpty()) {
            if (stderr) {
                env.writeToStdErr(text.toString());
            } else {
                env.writeToStdOut(text.toString());
            }
        }
        text.setLength(0);
    }

    private static DisplayData displayData(Map<String, String> bundle, String displayId) {
        DisplayData data = new DisplayData();
        bundle.forEach(data::putData);
        if (displayId != null) {
            data.setDisplayId(displayId);
        }
        return data;
    }

    @Override
    public ReplacementOptions complete(String code, int at) throws Exception {
        return cells.withSession(session -> {
            SourceSnippet snippet = snippetAt(session.split(code), at);
            int start = snippet == null ? at : snippet.offset();
            String text = snippet == null ? "" : code.substring(start, Math.min(code.length(), start + snippet.length()));
            int[] anchor = new int[1];
            Set<String> matches = new LinkedHashSet<>();
            for (SourceCodeAnalysis.Suggestion s : session.analysis().completionSuggestions(text, at - start, anchor)) {
                matches.add(s.continuation());
            }
            return new ReplacementOptions(List.copyOf(matches), start + anchor[0], at);
        });
    }

    @Override
    public DisplayData inspect(String code, int at, boolean extraDetail) throws Exception {
        return cells.withSession(session -> {
            SourceSnippet snippet = snippetAt(session.split(code), at);
            if (snippet == null) {
                return null;
            }
            String text = code.substring(snippet.offset(), Math.min(code.length(), snippet.offset() + snippet.length()));
            session.restateImports(); // so that signatures name imported types simply (List, not java.util.List)
            StringBuilder doc = new StringBuilder();
            for (var d : session.analysis().documentation(text, at - snippet.offset(), true)) {
                doc.append(d.signature()).append('\n');
                if (d.javadoc() != null && !d.javadoc().isBlank()) {
                    doc.append(d.javadoc().strip()).append("\n\n");
                }
            }
            return doc.isEmpty() ? null : new DisplayData(doc.toString().strip());
        });
    }

    @Override
    public String isComplete(String code) {
        try {
            return cells.withSession(session -> {
                var info = session.analysis().analyzeCompletion(code);
                return switch (info.completeness()) {
                    case COMPLETE, COMPLETE_WITH_SEMI, EMPTY -> info.remaining().isBlank() ? IS_COMPLETE_YES
                            : isComplete(session, info.remaining());
                    case DEFINITELY_INCOMPLETE, CONSIDERED_INCOMPLETE -> "    ";
                    case UNKNOWN -> IS_COMPLETE_BAD;
                };
            });
        } catch (Exception e) {
            return IS_COMPLETE_MAYBE;
        }
    }

    private static String isComplete(dev.llmgraph.shell.ShellSession session, String rest) {
        var info = session.analysis().analyzeCompletion(rest);
        return info.completeness().isComplete() ? IS_COMPLETE_YES : "    ";
    }

    /** The snippet of a cell that holds the cursor (the last one when the cursor is past every snippet). */
    private static SourceSnippet snippetAt(List<SourceSnippet> snippets, int at) {
        SourceSnippet found = null;
        for (SourceSnippet s : snippets) {
            if (s.offset() <= at) {
                found = s;
            }
        }
        return found;
    }

    @Override
    public void interrupt() {
        cells.interrupt();
    }

    @Override
    public void onShutdown(boolean isRestarting) {
        cells.close();
    }
}
