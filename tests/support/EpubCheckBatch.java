// Validates many EPUBs in one Java process with EPUBCheck's own API, so that a
// test over a whole corpus pays the JVM start-up and schema loading once.
// Run: java -cp epubcheck.jar EpubCheckBatch.java FILE.epub...
// Prints EPUBCheck's messages, then one line per file:
//   RESULT <fatal> <errors> <warnings> <path>
import com.adobe.epubcheck.api.EpubCheck;
import com.adobe.epubcheck.util.DefaultReportImpl;
import java.io.File;

public class EpubCheckBatch {
    public static void main(String[] args) {
        for (String name : args) {
            File file = new File(name);
            DefaultReportImpl report = new DefaultReportImpl(name);
            new EpubCheck(file, report).doValidate();
            System.out.println("RESULT " + report.getFatalErrorCount() + " " + report.getErrorCount()
                    + " " + report.getWarningCount() + " " + name);
            System.out.flush();
        }
    }
}
