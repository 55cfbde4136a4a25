package dev.llmgraph.text;

import dev.llmgraph.display.LiveText;

/** {@link PieceListener} drawn by {@link LiveText}, started at the first piece so that nothing shows for none. */
final class ShownPieces implements PieceListener {
    private LiveText live;

    @Override
    public void piece(String text) {
        if (live == null) {
            live = LiveText.start();
        }
        live.append(text);
    }

    @Override
    public void end() {
        if (live != null) {
            live.close();
        }
    }
}
