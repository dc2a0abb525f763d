/*
 * main.c - the STM32F103 image: clocks to 64 MHz from the HSI, SysTick at
 * 1 kHz, USART1 for the status line, SPI1 for the ENC28J60, then hand over
 * to the shared application (firmware/app/), which runs the driver and,
 * when present, the stack in core/. Startup is startup.c; memory layout is
 * stm32f103.ld.
 */
#include "board.h"
#include "fw_board.h"
#include "stm32f103.h"

#define UART_BAUD 115200u

static volatile uint32_t tick_ms;

/* Start-up SRAM contents (not cleared: see stm32f103.ld), mixed with the
 * 96-bit unique ID so two boards never share an ISN key even if their RAM
 * powers up alike. Still weak: the F103 has no RNG. */
static uint32_t boot_noise[8] __attribute__((section(".noinit")));

void SysTick_Handler(void)
{
	tick_ms++;
}

static void clock_init(void)
{
	/* Two flash wait states before speeding up (RM0008 3.3.3). */
	FLASH_ACR = FLASH_ACR_PRFTBE | FLASH_ACR_LATENCY_2;
	/* PLL from HSI/2 (4 MHz) x 16 = 64 MHz; APB1 limited to 36 MHz, so
	 * /2; AHB and APB2 undivided. */
	RCC_CFGR = RCC_CFGR_PLLMUL(16u) | RCC_CFGR_PPRE1_DIV2;
	RCC_CR |= RCC_CR_PLLON;
	while (!(RCC_CR & RCC_CR_PLLRDY)) {
	}
	RCC_CFGR |= RCC_CFGR_SW_PLL;
	while ((RCC_CFGR & RCC_CFGR_SWS_MASK) != RCC_CFGR_SWS_PLL) {
	}
}

static void tick_init(void)
{
	SYST_RVR = BOARD_SYSCLK_HZ / 1000u - 1u;
	SYST_CVR = 0;
	SYST_CSR = SYST_CSR_CLKSOURCE | SYST_CSR_TICKINT | SYST_CSR_ENABLE;
}

static uint32_t stm32_millis(void)
{
	/* A single aligned 32-bit load: atomic against the tick interrupt. */
	return tick_ms;
}

static void uart_init(void)
{
	uint32_t crh;

	RCC_APB2ENR |= RCC_APB2ENR_IOPAEN | RCC_APB2ENR_USART1EN;
	crh = GPIOA_CRH & ~(0xFu << GPIO_CFG_SHIFT(9u));
	GPIOA_CRH = crh | (GPIO_CFG_AF_PP_50MHZ << GPIO_CFG_SHIFT(9u)); /* TX */
	/* BRR is fPCLK2 / baud in 1/16ths: 64e6 / 115200 = 555.6 -> 556. */
	USART1_BRR = (BOARD_SYSCLK_HZ + UART_BAUD / 2u) / UART_BAUD;
	USART1_CR1 = USART_CR1_UE | USART_CR1_TE;
}

static void uart_puts(const char *s)
{
	while (*s) {
		while (!(USART1_SR & USART_SR_TXE)) {
		}
		USART1_DR = (uint8_t)*s++;
	}
}

static void boot_key(uint8_t key[16])
{
	/* Power-up SRAM folded into the key, the unique ID over its first 12
	 * bytes; the stack's SipHash does the mixing. */
	const volatile uint32_t *uid = (const volatile uint32_t *)(uintptr_t)UID_BASE;

	for (unsigned w = 0; w < 4u; w++) {
		uint32_t v = boot_noise[w] ^ boot_noise[w + 4u] ^ (w < 3u ? uid[w] : 0u);

		for (unsigned i = 0; i < 4u; i++) {
			key[w * 4u + i] = (uint8_t)(v >> (8u * i));
		}
	}
	/* A reset that keeps power keeps SRAM too: step the noise so the next
	 * boot's key differs, or its ISNs (the clock restarts at 0) would
	 * repeat this boot's. */
	boot_noise[0]++;
}

int main(void)
{
	struct fw_board board = {
		.name = "stm32",
		.millis = stm32_millis,
		.puts = uart_puts,
		.puts_rom = uart_puts, /* const data stays in flash here */
	};

	boot_key(board.isn_key);
	clock_init();
	tick_init();
	uart_init();
	board.spi = stm32_spi_init();
	fw_app_run(&board);
	return 0;
}
