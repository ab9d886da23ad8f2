// Validates many EPUBs in one Java process with EPUBCheck's own API, so that the
// test suite pays the JVM start-up and schema loading once per test worker.
// Run: java -cp epubcheck.jar EpubCheckBatch.java [FILE.epub...]
// Checks the files named, or, with none, each path read from standard input, one a
// line, as it arrives (a test worker keeps one such process for all its checks).
// Prints EPUBCheck's messages for a file, then one line:
//   RESULT <fatal> <errors> <warnings> <path>
// Messages go to standard output too, so that they always precede their RESULT line.
import com.adobe.epubcheck.api.EpubCheck;
import com.adobe.epubcheck.util.DefaultReportImpl;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

public class EpubCheckBatch {
    static void check(String name) {
        DefaultReportImpl report = new DefaultReportImpl(name);
        new EpubCheck(new File(name), report).doValidate();
        System.out.println("RESULT " + report.getFatalErrorCount() + " " + report.getErrorCount()
                + " " + report.getWarningCount() + " " + name);
        System.out.flush();
    }

    public static void main(String[] args) throws IOException {
        System.setErr(System.out);
        if (args.length > 0) {
            for (String name : args) check(name);
            return;
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            if (!line.isEmpty()) check(line);
        }
    }
}
