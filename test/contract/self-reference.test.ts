// Goods.crossSell refers to Goods itself; the bundle unrolls it one level so that Prism (the mock)
// validates it (decision 75). The validators still check the first level.
import { expect, test } from "vitest";
import { validate } from "../../src/core/validate.js";
import { namedExamples, spec } from "../helpers/spec.js";

type Json = Record<string, any>;

test("no schema of the bundle refers to itself", () => {
  const selfRefs: string[] = [];
  for (const [name, schema] of Object.entries<Json>(spec.components.schemas)) {
    for (const [prop, value] of Object.entries<Json>(schema.properties ?? {})) {
      const ref = value.$ref ?? value.items?.$ref;
      if (ref === `#/components/schemas/${name}`) selfRefs.push(`${name}.${prop}`);
    }
  }
  expect(selfRefs).toEqual([]);
  expect(spec.components.schemas.Goods.properties.crossSell.$ref).toBe("#/components/schemas/GoodsCrossSell");
});

test("a crossSell item is validated like any other item", () => {
  const rawCard = structuredClone(namedExamples().find((e) => e.operationId === "pay" && e.direction === "request" && e.name === "rawCard")!.value) as Json;
  rawCard.order.goods = [{ goodsName: "Espresso machine", referenceGoodsId: "G1", crossSell: { goodsName: "Beans", referenceGoodsId: "G2" } }];
  expect(validate("pay.request", rawCard).errors).toEqual([]);
  rawCard.order.goods[0].crossSell.goodsQuantity = "abc";
  rawCard.order.goods[0].crossSell.deliveryMethodType = "X".repeat(33);
  const paths = validate("pay.request", rawCard).errors.map((e) => `${e.path} ${e.rule}`);
  expect(paths).toEqual(expect.arrayContaining(["order.goods[0].crossSell.goodsQuantity anyOf", "order.goods[0].crossSell.deliveryMethodType maxLength"]));
});
