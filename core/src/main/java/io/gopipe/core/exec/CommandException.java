package io.gopipe.core.exec;

import io.gopipe.core.GopipeException;

/** A command could not be run to its end: interrupted, or the way to the place it runs broke down. */
public class CommandException extends GopipeException {

    public CommandException(String message) {
        super(message);
    }

    public CommandException(String message, Throwable cause) {
        super(message, cause);
    }
}
