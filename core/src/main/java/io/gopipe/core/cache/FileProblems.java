package io.gopipe.core.cache;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * File-system errors as one line with the path and the reason. The JDK's own messages often hold
 * only the path ({@code AccessDeniedException: /cache/entries}), which tells a user nothing.
 */
public final class FileProblems {

    private FileProblems() {
    }

    /** {@code "PATH: REASON"}, e.g. {@code /cache/tmp: permission denied}. */
    public static String describe(FileSystemException e) {
        String reason = e.getReason();
        if (reason == null || reason.isBlank()) {
            if (e instanceof AccessDeniedException) {
                reason = "permission denied";
            } else if (e instanceof NoSuchFileException) {
                reason = "no such file or directory";
            } else if (e instanceof NotDirectoryException) {
                reason = "not a directory";
            } else if (e instanceof java.nio.file.FileAlreadyExistsException) {
                reason = "already exists";
            } else if (e instanceof java.nio.file.DirectoryNotEmptyException) {
                reason = "directory not empty";
            } else {
                reason = e.getClass().getSimpleName();
            }
        }
        String where = e.getFile() == null ? "" : e.getFile();
        if (e.getOtherFile() != null) {
            where += " -> " + e.getOtherFile();
        }
        return where.isEmpty() ? reason : where + ": " + reason;
    }
}
