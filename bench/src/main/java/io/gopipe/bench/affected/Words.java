package io.gopipe.bench.affected;

import java.util.List;

/** Name pools. None collides with a Go keyword, a stdlib package the renderer imports, or a local identifier. */
final class Words {

    private Words() {
    }

    static final List<String> DOMAINS = List.of("accounts", "orders", "payments", "catalog", "inventory",
        "shipping", "pricing", "search", "reviews", "users", "identity", "notify", "messaging", "analytics",
        "reporting", "ledger", "invoices", "refunds", "fraud", "risk", "loyalty", "promos", "carts", "checkout",
        "fulfilment", "returns", "support", "content", "media", "geo", "routing", "fleet", "drivers", "partners",
        "vendors", "tax", "compliance", "audit", "scheduling", "bookings");

    static final List<String> NOUNS = List.of("store", "client", "model", "handler", "repo", "cachex", "queue",
        "worker", "codec", "policy", "rules", "events", "index", "query", "schema", "mapper", "filter", "router",
        "limiter", "session", "token", "report", "export", "importer", "planner", "tracker", "builder", "ledgerx",
        "snapshot", "window", "batch", "scanner", "writer", "reader", "broker", "monitor", "budget", "quota",
        "matcher", "resolver", "selector", "scorer", "ranker", "notifier", "mailer", "webhook", "adapter",
        "gateway", "registry", "locator", "allocator", "settler", "reconciler", "projector", "aggregator",
        "validator", "normalizer", "enricher", "dedupe", "archive", "retention", "backfill", "migrator");

    static final List<String> CORE_HUBS = List.of("log", "errs", "config", "metrics", "tracing", "httpx", "grpcx",
        "sqlx", "kv", "authz", "flags", "clock", "ids", "retry", "ratelimit", "health", "validate", "encodingx",
        "paging", "money", "geoutil", "i18n", "eventbus", "secrets");

    static final List<String> PLATFORM_HUBS = List.of("logging", "telemetry", "transport", "storage", "cryptox",
        "pubsub", "discovery", "leader", "locks", "netutil", "bytesx", "jsonx", "backoff", "pool", "shutdown",
        "signals", "buildinfo", "envcfg", "version", "diag");

    static final List<String> LIB_AREAS = List.of("net", "data", "auth", "obs", "async", "text", "web", "cloud",
        "crypto", "util", "cache", "sql", "rpc", "stream", "files", "mail", "pdf", "image", "mathx", "timeutil");

    static final List<String> SERVICE_SUFFIXES = List.of("api", "worker", "gateway", "sync", "scheduler", "consumer",
        "indexer", "admin", "exporter", "webhooks", "projector", "cron");

    static final List<String> TOOL_VERBS = List.of("migrate", "backfill", "reindex", "export", "import", "audit",
        "replay", "seed", "purge", "verify");
}
