import { z } from 'zod';

const DecimalSchema = z
  .string()
  .regex(/^\d{1,18}(\.\d{1,12})?$/, 'prices are non-negative decimals such as "0.5"');

export const ModelPricesSchema = z.record(z.string().min(1), DecimalSchema);

export interface Pricing {
  /** What a provider earns per million billed tokens of `model`, as an exact decimal string. */
  pricePerMillionTokens(model: string): string;
}

/** A default rate with per-model overrides; "0" is a valid price. */
export function createPricing(defaultPrice: string, modelPrices: Record<string, string>): Pricing {
  const prices = new Map(Object.entries(modelPrices));
  return {
    pricePerMillionTokens: (model) => prices.get(model) ?? defaultPrice,
  };
}

export const PriceSchema = DecimalSchema;
