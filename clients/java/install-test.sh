#!/usr/bin/env bash
# Installs the SDK as a user does before it is published, without touching
# your own ~/.m2: `mvn install` into a throwaway local repository (which also
# builds the -sources and -javadoc jars, so the javadoc must build), then a
# fresh Maven project outside the repository that depends on
# dev.webhookd:webhookd-client builds and runs a small program against the
# webhookd at $WEBHOOKD_ADDR (clients/test.sh starts one).
#
# The throwaway repository starts as a copy of ~/.m2/repository (without
# dev/webhookd), so that only what is missing there is downloaded; what was
# downloaded (plugins, never dev/webhookd) is added to ~/.m2/repository at the
# end, so that the next run need not download it again.
set -euo pipefail
sdk=$(cd "$(dirname "$0")" && pwd)
: "${WEBHOOKD_ADDR:?set WEBHOOKD_ADDR to the address of a running webhookd}"
version=$(tr -d '[:space:]' <"$sdk/../VERSION")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
repo=$work/repository
mkdir -p "$repo"
if [ -d "$HOME/.m2/repository" ]; then
  cp -a "$HOME/.m2/repository/." "$repo/"
  rm -rf "$repo/dev/webhookd"
fi

(cd "$sdk" && mvn -q -B -Dmaven.repo.local="$repo" -DskipTests install)
for classifier in "" -sources -javadoc; do
  jar=$repo/dev/webhookd/webhookd-client/$version/webhookd-client-$version$classifier.jar
  [ -s "$jar" ] || { echo "mvn install did not install $jar"; exit 1; }
done

app=$work/app
mkdir -p "$app/src/main/java/example"
cat >"$app/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <groupId>example</groupId>
  <artifactId>webhookd-install-test</artifactId>
  <version>1.0</version>
  <properties>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
    <maven.compiler.release>17</maven.compiler.release>
  </properties>
  <dependencies>
    <dependency>
      <groupId>dev.webhookd</groupId>
      <artifactId>webhookd-client</artifactId>
      <version>$version</version>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-resources-plugin</artifactId>
        <version>3.3.1</version>
      </plugin>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-compiler-plugin</artifactId>
        <version>3.14.1</version>
      </plugin>
      <plugin>
        <groupId>org.codehaus.mojo</groupId>
        <artifactId>exec-maven-plugin</artifactId>
        <version>3.5.1</version>
        <configuration>
          <mainClass>example.Main</mainClass>
        </configuration>
      </plugin>
    </plugins>
  </build>
</project>
EOF
cat >"$app/src/main/java/example/Main.java" <<'EOF'
package example;

import dev.webhookd.client.Metrics;
import dev.webhookd.client.Page;
import dev.webhookd.client.Endpoint;
import dev.webhookd.client.WebhookdClient;
import dev.webhookd.client.WebhookdException;
import java.time.Duration;

public class Main {
  public static void main(String[] args) {
    try (WebhookdClient client = WebhookdClient.builder(System.getenv("WEBHOOKD_ADDR")).build()) {
      Page<Endpoint> endpoints = client.listEndpoints();
      Metrics metrics = client.getMetrics(Duration.ofMinutes(1), null);
      String reason;
      try {
        client.getEndpoint("ep_install_test_missing");
        throw new AssertionError("getEndpoint of a missing endpoint succeeded");
      } catch (WebhookdException e) {
        reason = e.reason();
      }
      if (!reason.equals("ENDPOINT_NOT_FOUND")) {
        throw new AssertionError("reason " + reason + ", want ENDPOINT_NOT_FOUND");
      }
      System.out.printf("webhookd-java %s: %d endpoints, window %s, missing endpoint: %s%n",
          WebhookdClient.VERSION, endpoints.items().size(), metrics.window(), reason);
    }
  }
}
EOF
# Maven 3.8 prints colour resets even in batch mode: strip them.
output=$(cd "$app" && mvn -q -B -Dmaven.repo.local="$repo" compile exec:java | sed 's/\x1b\[[0-9;]*m//g')
echo "install test: $output"
case $output in
  *"webhookd-java $version:"*) ;;
  *) echo "the program did not report version $version"; exit 1 ;;
esac

rm -rf "$repo/dev/webhookd"
mkdir -p "$HOME/.m2/repository"
cp -an "$repo/." "$HOME/.m2/repository/"
