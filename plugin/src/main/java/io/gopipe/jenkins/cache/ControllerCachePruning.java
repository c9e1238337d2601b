package io.gopipe.jenkins.cache;

import hudson.Extension;
import hudson.model.AsyncPeriodicWork;
import hudson.model.TaskListener;
import io.gopipe.core.cache.PruneResult;
import io.gopipe.core.cache.remote.ControllerStores;
import io.gopipe.core.gocache.GoCachePruneResult;
import io.gopipe.core.gocache.store.ControllerObjectServer;
import io.gopipe.jenkins.config.GopipeGlobalConfiguration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Prunes the controller's cache store every hour with the administrator's limits (size cap,
 * maximum age), archives and the remote build cache's objects alike. The only place entries of that store are evicted: agents cannot sweep it and may
 * delete only entries the controller itself finds broken. Log: {@code $JENKINS_HOME/logs/tasks/}.
 */
@Extension
public final class ControllerCachePruning extends AsyncPeriodicWork {

    public ControllerCachePruning() {
        super("gopipe cache pruning");
    }

    @Override
    public long getRecurrencePeriod() {
        return HOUR;
    }

    @Override
    protected void execute(TaskListener listener) throws IOException, InterruptedException {
        Path root = ControllerCacheStore.root();
        if (!Files.isDirectory(root)) {
            return; // the controller store was never used
        }
        GopipeGlobalConfiguration config = GopipeGlobalConfiguration.get();
        long maxBytes = Math.max(0, config.getCacheMaxSizeMb()) << 20;
        Duration maxAge = Duration.ofDays(Math.max(0, config.getCacheMaxAgeDays()));
        PruneResult r = ControllerStores.prune(root, maxBytes, maxAge);
        listener.getLogger().printf("gopipe: %d entries evicted, %d broken removed, %d orphan files removed;"
                        + " %d entries (%d MB) kept (cap %d MB, max age %d days)%n", r.evicted().size(), r.broken().size(),
                r.orphans(), r.keptEntries(), r.keptBytes() >> 20, maxBytes >> 20, maxAge.toDays());
        r.evicted().forEach(e -> listener.getLogger().println("  evicted " + e));
        // The remote build cache's objects (goModCache flavour 'remote'), per namespace, through their index.
        for (Map.Entry<String, GoCachePruneResult> g : ControllerObjectServer.prune(root, maxBytes, maxAge).entrySet()) {
            GoCachePruneResult p = g.getValue();
            listener.getLogger().printf("gopipe: remote build cache of %s: %d actions, %d outputs, %d packs, %d tools removed;"
                            + " %d outputs (%d MB) kept%n", g.getKey(), p.actionsRemoved(), p.objectsRemoved(), p.packsRemoved(),
                    p.toolsRemoved(), p.kept().objects(), p.kept().totalBytes() >> 20);
        }
    }
}
