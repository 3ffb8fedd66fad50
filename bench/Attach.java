import com.sun.tools.attach.VirtualMachine;

/**
 * Loads a JVMTI agent into a running JVM with its options as one string (jcmd's JVMTI.agent_load
 * splits options at '='): java bench/Attach.java PID /path/libasyncProfiler.so start,event=itimer
 */
public class Attach {
  public static void main(String[] args) throws Exception {
    VirtualMachine vm = VirtualMachine.attach(args[0]);
    try {
      vm.loadAgentPath(args[1], args[2]);
    } finally {
      vm.detach();
    }
  }
}
