import { beforeAll, describe, expect, test } from "bun:test"
import { Redacted } from "effect"
import { makePasswordChecker } from "../../src/lib/password"

const secret = (value: string) => Redacted.make(value)

describe("makePasswordChecker with plain passwords", () => {
  const check = makePasswordChecker({ user: secret("user-pw"), admin: secret("admin-pw") })

  test("the user password → user", async () => {
    expect(await check("user-pw")).toBe("user")
  })

  test("the admin password → admin", async () => {
    expect(await check("admin-pw")).toBe("admin")
  })

  test("a wrong password → null", async () => {
    expect(await Promise.all([check("nope"), check(""), check("user-pw "), check("USER-PW")])).toEqual([
      null,
      null,
      null,
      null,
    ])
  })

  test("the same password for both roles → admin wins", async () => {
    expect(await makePasswordChecker({ user: secret("same"), admin: secret("same") })("same")).toBe("admin")
  })

  test("only a user password configured → admin attempts fail, the user one passes", async () => {
    const userOnly = makePasswordChecker({ user: secret("u") })
    expect([await userOnly("u"), await userOnly("a")]).toEqual(["user", null])
  })

  test("nothing configured → null for any attempt, including the empty one", async () => {
    const none = makePasswordChecker({})
    expect([await none(""), await none("anything")]).toEqual([null, null])
  })

  test("non-ASCII passwords → compared exactly", async () => {
    const ru = makePasswordChecker({ user: secret("пароль-😀") })
    expect([await ru("пароль-😀"), await ru("пароль-😁")]).toEqual(["user", null])
  })
})

describe("makePasswordChecker with hashes", () => {
  let argon2 = ""
  let bcrypt = ""

  beforeAll(async () => {
    argon2 = await Bun.password.hash("pw")
    bcrypt = await Bun.password.hash("pw", { algorithm: "bcrypt", cost: 4 })
  })

  test("fixtures → argon2id and bcrypt hashes", () => {
    expect([argon2.startsWith("$argon2id$"), /^\$2[abxy]\$04\$/.test(bcrypt)]).toEqual([true, true])
  })

  test("an argon2 hash as the user password → the password matches, the hash text itself does not", async () => {
    const check = makePasswordChecker({ user: secret(argon2) })
    expect([await check("pw"), await check("wrong"), await check(argon2)]).toEqual(["user", null, null])
  })

  test("a bcrypt hash as the admin password → the password matches", async () => {
    const check = makePasswordChecker({ admin: secret(bcrypt) })
    expect([await check("pw"), await check("pw2"), await check(bcrypt)]).toEqual(["admin", null, null])
  })

  test("a hashed admin and a plain user password → each role by its own password", async () => {
    const check = makePasswordChecker({ user: secret("user-plain"), admin: secret(bcrypt) })
    expect([await check("pw"), await check("user-plain"), await check("x")]).toEqual(["admin", "user", null])
  })

  test("a malformed hash → null, not an exception", async () => {
    const check = makePasswordChecker({ user: secret("$argon2id$garbage"), admin: secret("$2b$garbage") })
    expect(await check("pw")).toBeNull()
  })
})
