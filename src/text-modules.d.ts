// Prompts are Markdown files imported as text (`with { type: "text" }`), reviewed like any other text.
declare module "*.md" {
  const text: string
  export default text
}
