package io.gopipe.core.image;

import java.util.List;

/** Reads a BuildKit progress stream line by line and collects its vertices. */
public interface ProgressParser {

    /** Feeds one output line; lines that are not progress are ignored. */
    void accept(String line);

    /** The vertices seen so far, in the order they first appeared. */
    List<BuildStep> steps();
}
