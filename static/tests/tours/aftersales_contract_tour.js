import { registry } from "@web/core/registry";

/**
 * A service manager opens the contracts of the After-Sales app, writes a contract for a customer with one
 * fee line and one covered machine, and activates it.
 */
registry.category("web_tour.tours").add("aftersales_contract_tour", {
    url: "/odoo/action-aftersales.aftersales_contract_action",
    steps: () => [
        {
            content: "The After-Sales app shows its Contracts",
            trigger: ".o_main_navbar .o_menu_brand:contains('After-Sales')",
        },
        {
            content: "Create a contract",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            content: "Pick the customer",
            trigger: ".o_field_widget[name=partner_id] input",
            run: "edit Tour Bar Sport",
        },
        {
            trigger: ".ui-menu-item > a:contains('Tour Bar Sport')",
            run: "click",
        },
        {
            content: "Add a line",
            trigger: "div[name=line_ids] .o_field_x2many_list_row_add > a",
            run: "click",
        },
        {
            content: "Bill the maintenance fee",
            trigger: "div[name=line_ids] .o_data_row .o_field_widget[name=product_id] input",
            run: "edit Tour maintenance fee",
        },
        {
            trigger: ".ui-menu-item > a:contains('Tour maintenance fee')",
            run: "click",
        },
        {
            content: "Cover the customer's machine",
            trigger: "div[name=line_ids] .o_data_row .o_field_widget[name=equipment_product_id] input",
            run: "edit Tour espresso machine",
        },
        {
            trigger: ".ui-menu-item > a:contains('Tour espresso machine')",
            run: "click",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_saved",
        },
        {
            content: "Activate the contract",
            trigger: "button[name=action_activate]",
            run: "click",
        },
        {
            content: "The contract is active",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Active')",
        },
    ],
});
