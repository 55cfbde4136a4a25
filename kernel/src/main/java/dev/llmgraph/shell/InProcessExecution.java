package dev.llmgraph.shell;

import jdk.jshell.execution.DirectExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

import java.io.ByteArrayInputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.instruction.BranchInstruction;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs snippets in this JVM, on the thread that calls {@code JShell.eval} (so the JVM's
 * {@code --enable-native-access} and the llmgraph class path apply to user code), and keeps each
 * snippet's value as an object so that a front end can render it (HTML, SVG) instead of only its text.
 *
 * <p>Stopping user code: JDK 25 has no {@code Thread.stop}, and JShell's own local engine changed how it
 * stops code between releases. This one does two things, both under the caller's control:
 * {@link #interrupt()} interrupts the thread while it runs user code (a {@code Thread.sleep}, a ggml
 * computation, a loop that checks {@code Thread.interrupted()} all end), and {@link #forceStop()} makes
 * the next branch in snippet code throw {@link ForcedStopError} (a loop that never checks ends too).
 * Interrupts never reach the thread while JShell compiles, since an interrupt during file reads would
 * close the compiler's channels.
 */
public final class InProcessExecution extends DirectExecutionControl {
    private static final ClassDesc STOP_CHECK = ClassDesc.of(StopCheck.class.getName());
    private static final MethodTypeDesc VOID = MethodTypeDesc.of(ConstantDescs.CD_void);

    private final Object lock = new Object();
    /** Bytes of every snippet class loaded so far: the class-file writer needs their supertypes. */
    private final Map<ClassDesc, byte[]> snippetClasses = new ConcurrentHashMap<>();
    private Thread userCodeThread;
    private boolean interruptPending;
    private Object lastValue;
    private boolean hasLastValue;

    /** An engine for {@code JShell.builder().executionEngine(...)}; JShell closes it with the shell. */
    public ExecutionControlProvider provider() {
        return new ExecutionControlProvider() {
            @Override
            public String name() {
                return "llmgraph-in-process";
            }

            @Override
            public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
                return InProcessExecution.this;
            }
        };
    }

    @Override
    public void load(ClassBytecodes[] classes)
            throws ClassInstallException, NotImplementedException, EngineTerminationException {
        for (ClassBytecodes c : classes) {
            snippetClasses.put(ClassDesc.of(c.name()), c.bytecodes());
        }
        ClassBytecodes[] instrumented = new ClassBytecodes[classes.length];
        for (int i = 0; i < classes.length; i++) {
            instrumented[i] = new ClassBytecodes(classes[i].name(), insertStopChecks(classes[i].bytecodes()));
        }
        super.load(instrumented);
    }

    private byte[] insertStopChecks(byte[] classBytes) {
        ClassFile classFile = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(
                ClassHierarchyResolver.defaultResolver().orElse(ClassHierarchyResolver.ofResourceParsing(
                        desc -> snippetClasses.containsKey(desc)
                                ? new ByteArrayInputStream(snippetClasses.get(desc)) : null))));
        return classFile.transformClass(classFile.parse(classBytes),
                ClassTransform.transformingMethodBodies((code, element) -> {
                    if (element instanceof BranchInstruction) {
                        code.invokestatic(STOP_CHECK, "check", VOID);
                    }
                    code.with(element);
                }));
    }

    @Override
    protected String invoke(Method doit) throws Exception {
        Object value;
        synchronized (lock) {
            userCodeThread = Thread.currentThread();
            if (interruptPending) {
                userCodeThread.interrupt();
            }
        }
        try {
            value = doit.invoke(null);
        } finally {
            synchronized (lock) {
                userCodeThread = null;
                interruptPending = false;
                StopCheck.clear();
                // An interrupt the code did not consume must not reach the compiler or the next cell.
                Thread.interrupted();
            }
        }
        lastValue = value;
        hasLastValue = true;
        return valueString(value);
    }

    /**
     * Interrupts the thread that runs user code now, or the next user code to start if JShell is still
     * compiling. Callable from any thread.
     */
    public void interrupt() {
        synchronized (lock) {
            if (userCodeThread != null) {
                userCodeThread.interrupt();
            } else {
                interruptPending = true;
            }
        }
    }

    /** Interrupts, and makes the next branch of snippet code on that thread throw {@link ForcedStopError}. */
    public void forceStop() {
        synchronized (lock) {
            if (userCodeThread != null) {
                StopCheck.stop(userCodeThread);
                userCodeThread.interrupt();
            } else {
                interruptPending = true;
            }
        }
    }

    /** Forgets an interrupt that arrived after the last user code ended. */
    public void clearPendingInterrupt() {
        synchronized (lock) {
            interruptPending = false;
        }
    }

    /** JShell's own stop request (its API's {@code JShell.stop()}) interrupts, as {@link #interrupt()}. */
    @Override
    public void stop() {
        interrupt();
    }

    /** Forgets the last value, so that {@link #takeValue} tells whether the next snippet produced one. */
    public void resetValue() {
        lastValue = null;
        hasLastValue = false;
    }

    /** A value as JShell prints it: strings quoted, arrays with their elements. */
    public static String describe(Object value) {
        return valueString(value);
    }

    /** What a snippet evaluated to; {@code object} may be null. */
    public record Value(Object object) {}

    /** The value of the last snippet that ran code since {@link #resetValue()}, or null if none did. */
    public Value takeValue() {
        Value value = hasLastValue ? new Value(lastValue) : null;
        resetValue();
        return value;
    }
}
