package io.gopipe.core.gocache.store;

import java.io.IOException;

/**
 * The remote Go build cache's objects in the Jenkins controller's store, as one build's agent may
 * use them, across a process boundary. Only strings, numbers and byte arrays cross it, so Jenkins
 * remoting can export it unchanged ({@code VirtualChannel.export}), like the archive cache's
 * {@link io.gopipe.core.cache.remote.RemoteStore}.
 *
 * <p>{@link ControllerObjectServer} implements it on the controller with the namespace rules;
 * {@link LoopbackObjectServer} serves it to the {@code gopipe gocache} processes on the agent,
 * which see it as a {@link ControllerObjectStore}.
 */
public interface ControllerObjects {

    /** Bytes per call: big enough to amortise a round trip, small enough for the channel. */
    int CHUNK = 4 << 20;

    /** For messages. */
    String describe() throws IOException;

    /** Up to {@code length} bytes of an object from {@code offset} (fewer only at its end), or null when there is none. */
    byte[] read(String name, long offset, int length) throws IOException;

    /** The object's size in bytes, or -1 when there is none. */
    long size(String name) throws IOException;

    /** Stores a whole object of at most {@link #CHUNK} bytes. */
    void put(String name, byte[] data) throws IOException;

    /** Starts an upload of {@code name} in parts; returns its id for {@link #write}, {@link #commit} and {@link #discard}. */
    String stage(String name) throws IOException;

    /** Writes part of a staged upload. */
    void write(String upload, long offset, byte[] data) throws IOException;

    /** Makes a staged upload of exactly {@code size} bytes visible, atomically. */
    void commit(String upload, long size) throws IOException;

    /** Drops a staged upload; no error when it is gone. */
    void discard(String upload) throws IOException;

    /** Objects whose name starts with {@code prefix}: one line each, {@code <size> <modified epoch millis> <name>}. */
    String list(String prefix) throws IOException;
}
