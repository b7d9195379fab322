package mmn.interp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads script files (run or included): only regular files, only up to a size cap, only
 * UTF-8, and every refusal says why in words (never "Input length = 1", never an
 * OutOfMemoryError from {@code include "/dev/zero"}).
 */
public final class ScriptFiles {
    /** Far above any real script (the largest in scripts/ is a few K), far below a heap's worth. */
    public static final long MAX_BYTES = 8L << 20;

    private ScriptFiles() {}

    /** Why a file could not be read, in words a person can act on. */
    public static final class Unreadable extends Exception {
        Unreadable(String why) {
            super(why, null, false, false);
        }
    }

    public static String read(Path file) throws Unreadable {
        if (!Files.exists(file)) throw new Unreadable("no such file");
        if (Files.isDirectory(file)) throw new Unreadable("it is a directory, not a script");
        if (!Files.isRegularFile(file)) throw new Unreadable("it is not a regular file (a device, a pipe or a socket): scripts are read only from files");
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES) throw new Unreadable("it is " + size + " bytes; scripts are read up to " + MAX_BYTES + " bytes");
            try (InputStream in = Files.newInputStream(file)) {
                bytes = in.readNBytes((int) MAX_BYTES + 1); // the file may grow after the size check
            }
            if (bytes.length > MAX_BYTES) throw new Unreadable("it is larger than " + MAX_BYTES + " bytes, the most a script may be");
        } catch (NoSuchFileException e) {
            throw new Unreadable("no such file");
        } catch (AccessDeniedException e) {
            throw new Unreadable("permission denied");
        } catch (FileSystemException e) {
            throw new Unreadable(e.getReason() != null ? e.getReason() : e.getClass().getSimpleName());
        } catch (IOException e) {
            throw new Unreadable(e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName());
        }
        return utf8(bytes);
    }

    /** The text, or where it stops being UTF-8: line:col (in characters) and the offending byte. */
    static String utf8(byte[] bytes) throws Unreadable {
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        CoderResult r = dec.decode(in, out, true);
        if (!r.isError()) r = dec.flush(out);
        if (r.isError()) {
            int at = in.position();
            out.flip();
            int line = 1, col = 1;
            for (int i = 0; i < out.length(); i++) {
                if (out.charAt(i) == '\n') {
                    line++;
                    col = 1;
                } else {
                    col++;
                }
            }
            throw new Unreadable(String.format("not UTF-8 text at %d:%d (byte 0x%02x)", line, col, bytes[at] & 0xff));
        }
        out.flip();
        return out.toString();
    }
}
