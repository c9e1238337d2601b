package io.gopipe.core.affected;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * A map that forgets its least recently used entries once their estimated total size passes a
 * limit. Thread-safe by one lock: every operation is a hash lookup, far cheaper than the parse it
 * saves, so the lock is not a bottleneck even when many threads scan.
 */
final class WeightedLru<K, V> {

    private final long maxWeight;
    private final ToLongFunction<Map.Entry<K, V>> weigher;
    private final LinkedHashMap<K, V> map = new LinkedHashMap<>(256, 0.75f, true);
    private long weight;

    /**
     * @param maxWeight the limit on the sum of the entries' weights (at least one entry is always kept)
     * @param weigher   estimated size of one entry in bytes, key included
     */
    WeightedLru(long maxWeight, ToLongFunction<Map.Entry<K, V>> weigher) {
        if (maxWeight <= 0) {
            throw new IllegalArgumentException("maxWeight must be positive, got " + maxWeight);
        }
        this.maxWeight = maxWeight;
        this.weigher = weigher;
    }

    synchronized V get(K key) {
        return map.get(key);
    }

    /** Adds the value unless the key is present; returns the value now held for the key. */
    synchronized V putIfAbsent(K key, V value) {
        V held = map.get(key);
        if (held != null) {
            return held;
        }
        map.put(key, value);
        weight += weigher.applyAsLong(Map.entry(key, value));
        var it = map.entrySet().iterator();
        while (weight > maxWeight && map.size() > 1 && it.hasNext()) {
            Map.Entry<K, V> eldest = it.next();
            if (eldest.getKey().equals(key)) {
                continue;
            }
            weight -= weigher.applyAsLong(eldest);
            it.remove();
        }
        return value;
    }

    synchronized int size() {
        return map.size();
    }

    synchronized long weight() {
        return weight;
    }

    long maxWeight() {
        return maxWeight;
    }

    /** A copy of the entries, least recently used first. */
    synchronized List<Map.Entry<K, V>> snapshot() {
        List<Map.Entry<K, V>> out = new ArrayList<>(map.size());
        map.forEach((k, v) -> out.add(Map.entry(k, v)));
        return out;
    }
}
