package dev.llmgraph.ggml.llama;

/**
 * One turn of a conversation, as chat templates take it.
 *
 * @param role    who speaks: {@code system}, {@code user} or {@code assistant} (the roles templates know)
 * @param content what is said
 */
public record ChatMessage(String role, String content) {
    public ChatMessage {
        if (role == null || role.isBlank()) {
            throw new IllegalArgumentException("a chat message needs a role (system, user or assistant), got "
                    + (role == null ? "null" : "'" + role + "'"));
        }
        if (content == null) {
            throw new IllegalArgumentException("the " + role + " message has no content (null); pass a string");
        }
    }

    public static ChatMessage system(String content) {
        return new ChatMessage("system", content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content);
    }
}
