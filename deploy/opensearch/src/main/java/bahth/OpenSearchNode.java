package bahth;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * Runs one OpenSearch node in this JVM, its plugins taken from the classpath
 * (no plugin directories, no security manager, no bootstrap checks).
 *
 * Usage: java -cp 'target/classes:target/dependency/*' bahth.OpenSearchNode CONFIG_DIR key=value ...
 * The settings are OpenSearch settings (path.home, node.name, http.port, ...);
 * CONFIG_DIR holds log4j2.properties.  The node runs until the process is
 * sent SIGTERM or SIGINT, then closes cleanly.
 */
public final class OpenSearchNode {

    private static final List<Class<? extends Plugin>> PLUGINS =
        List.of(Netty4Plugin.class, CommonAnalysisPlugin.class, PainlessPlugin.class);

    /** Node's plugin-taking constructor is protected: a subclass reaches it. */
    static final class ClasspathPluginsNode extends Node {
        ClasspathPluginsNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
            super(environment, plugins, true);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: OpenSearchNode CONFIG_DIR key=value ...");
            System.exit(2);
        }
        Path configDir = Paths.get(args[0]).toAbsolutePath();
        Settings.Builder builder = Settings.builder();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq <= 0) {
                System.err.println("not key=value: " + args[i]);
                System.exit(2);
            }
            builder.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        Settings settings = builder.build();
        String nodeName = settings.get("node.name", "node");
        Files.createDirectories(configDir);
        Environment environment = InternalSettingsPreparer.prepareEnvironment(
            settings, Collections.emptyMap(), configDir, () -> nodeName);
        LogConfigurator.registerErrorListener();
        LogConfigurator.configure(environment);

        Node node = new ClasspathPluginsNode(environment, PLUGINS);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }, "bahth-node-shutdown"));
        node.start();
        System.out.println("started " + nodeName);
        stopped.await();
    }
}
