package io.gopipe.core.image;

/**
 * A username and password (or token) for one registry. {@link #toString()} never shows the password.
 *
 * @param registry registry host, e.g. {@code registry.example.com} or {@code 127.0.0.1:5000}
 * @param username the user
 * @param password the password or token
 */
public record RegistryCredentials(String registry, String username, String password) {

    public RegistryCredentials {
        if (registry == null || registry.isBlank()) {
            throw new InvalidImageConfigException("registry credentials need a registry host (--registry-user needs --registry)");
        }
        if (username == null || username.isBlank() || password == null || password.isEmpty()) {
            throw new InvalidImageConfigException("registry credentials for " + registry + " need both a username and a password");
        }
    }

    @Override
    public String toString() {
        return "RegistryCredentials[registry=" + registry + ", username=" + username + ", password=****]";
    }
}
