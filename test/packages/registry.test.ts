import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { PackageError } from "../../src/packages/errors";
import { PACKAGE_LIMITS } from "../../src/packages/limits";
import { RegistryClient } from "../../src/packages/registry";

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== "object" || address === null) throw new Error("no port");
  return address.port;
}

describe("RegistryClient", () => {
  it("answers a registry that is down with a registry_unavailable error, of kind resource", async () => {
    const client = new RegistryClient(`http://127.0.0.1:${await closedPort()}`, PACKAGE_LIMITS);
    const error = await client.packument("left-pad").catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(PackageError);
    expect([(error as PackageError).code, (error as PackageError).kind]).toEqual(["registry_unavailable", "resource"]);
    expect((error as PackageError).message).toMatch(
      /^The registry could not be reached for the metadata of "left-pad": /,
    );
  });

  it("never shows credentials of the registry's URL in a message", async () => {
    const client = new RegistryClient(`http://user:s3cret@127.0.0.1:${await closedPort()}/`, PACKAGE_LIMITS);
    expect(client.shown).not.toContain("s3cret");
    const error = (await client.packument("x").catch((thrown: unknown) => thrown)) as PackageError;
    expect(error.message).not.toContain("s3cret");
  });

  it("answers a registry URL that is not one with a resource error on use, never at start", async () => {
    const client = new RegistryClient("not a url", PACKAGE_LIMITS);
    const error = (await client.packument("x").catch((thrown: unknown) => thrown)) as PackageError;
    expect([error.kind, error.message]).toEqual([
      "resource",
      'The registry URL (NPM_REGISTRY) is not a URL; cannot fetch the metadata of "x".',
    ]);
  });

  it("never fetches a tarball from another origin than the registry's", async () => {
    const client = new RegistryClient("http://127.0.0.1:1/", PACKAGE_LIMITS);
    const version = { name: "x", version: "1.0.0", dist: { tarball: "http://169.254.169.254/latest/x.tgz" } };
    const error = (await client.tarball(version).catch((thrown: unknown) => thrown)) as PackageError;
    expect([error.code, error.message]).toEqual([
      "invalid_package",
      "The registry lists the tarball of x@1.0.0 at another origin (http://169.254.169.254); only http://127.0.0.1:1 is fetched.",
    ]);
  });
});
